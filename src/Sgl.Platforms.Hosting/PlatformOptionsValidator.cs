using System.Globalization;
using Microsoft.Extensions.Options;

namespace Sgl.Platforms.Hosting;

/// <summary>
/// Checks, when the host starts, the settings a deployment can get wrong before any probe runs. Each
/// message names the configuration key and the environment variable, since either may have supplied the
/// value. The rules are selection's own (a blank value means unset), so the host refuses exactly what
/// selection would.
/// </summary>
/// <remarks>Platform names and plugin lists are checked by selection itself, which knows the candidates.</remarks>
internal sealed class PlatformOptionsValidator : IValidateOptions<PlatformOptions>
{
    /// <summary>The longest probe time limit selection accepts, in milliseconds.</summary>
    internal const int MaxProbeTimeoutMs = 600_000;

    public ValidateOptionsResult Validate(string? name, PlatformOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var failures = new List<string>();

        if (!string.IsNullOrWhiteSpace(options.ProbeTimeoutMs)
            && (!int.TryParse(options.ProbeTimeoutMs.Trim(), NumberStyles.None, CultureInfo.InvariantCulture, out var ms) || ms is <= 0 or > MaxProbeTimeoutMs))
        {
            failures.Add(string.Create(CultureInfo.InvariantCulture,
                $"{KeyOf(nameof(PlatformOptions.ProbeTimeoutMs))} (environment variable {PlatformEnvironment.ProbeTimeoutMs}) is '{options.ProbeTimeoutMs}', " +
                $"but it must be a positive whole number of milliseconds, at most {MaxProbeTimeoutMs}. Set it to, for example, 5000, or remove it to use the default."));
        }

        if (!string.IsNullOrWhiteSpace(options.SystemRoot) && !Directory.Exists(Path.GetFullPath(options.SystemRoot)))
        {
            failures.Add(
                $"{KeyOf(nameof(PlatformOptions.SystemRoot))} (environment variable {PlatformEnvironment.SystemRoot}) is '{options.SystemRoot}', " +
                "which is not an existing directory. Point it at a directory holding sys/, dev/ and proc/, or remove it to probe the real machine.");
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }

    private static string KeyOf(string property) => PlatformOptions.SectionName + ":" + property;
}
