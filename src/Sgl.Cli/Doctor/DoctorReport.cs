using System.Text.Json.Serialization;

namespace Sgl.Cli.Doctor;

/// <summary>What kind of inconsistency a finding is.</summary>
[JsonConverter(typeof(JsonStringEnumConverter<DoctorFindingKind>))]
internal enum DoctorFindingKind
{
    /// <summary>An accelerator is present but no candidate platform declares or is named for it.</summary>
    UnclaimedHardware,

    /// <summary>An accelerator is present but every platform that claims it was refused (rejected, unreadable).</summary>
    ClaimedOnlyByRefused,

    /// <summary>A kernel driver is loaded but the user-space library its platform's probe needs is not found.</summary>
    DriverWithoutLibrary,

    /// <summary>A setting (SGL_PLATFORM, SGL_PLATFORM_PLUGINS, a device-visibility variable) hides a platform whose hardware is present.</summary>
    HiddenBySetting,

    /// <summary>A setting is invalid, so selection would fail before looking at the hardware.</summary>
    InvalidSetting,

    /// <summary>Part of the machine could not be read, so doctor could not check it.</summary>
    Unreadable,
}

/// <summary>One inconsistency, in words, with what to do about it.</summary>
/// <param name="Kind">What kind of finding it is.</param>
/// <param name="Message">What doctor found.</param>
/// <param name="Fix">What to do, or null when the message says it.</param>
internal sealed record DoctorFinding(DoctorFindingKind Kind, string Message, string? Fix);

/// <summary>What <c>sgl platforms doctor</c> found.</summary>
internal sealed record DoctorReport
{
    /// <summary>True when nothing is inconsistent.</summary>
    public bool Consistent => Findings.Count == 0;

    public required IReadOnlyList<DoctorFinding> Findings { get; init; }

    /// <summary>What was looked at, for the user to judge how much "consistent" covers.</summary>
    public IReadOnlyList<string> Checked { get; init; } = [];
}

/// <summary>JSON for <c>sgl platforms doctor --json</c>.</summary>
[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase, WriteIndented = true)]
[JsonSerializable(typeof(DoctorReport))]
internal sealed partial class DoctorJsonContext : JsonSerializerContext;
