using Sgl.Platforms;
using Sgl.Platforms.Selection;

namespace Sgl.Cli;

/// <summary>The exit codes of <c>sgl</c>: 0 success, 1 no platform could be selected, 2 a setting is invalid.</summary>
internal static class ExitCodes
{
    public const int Success = 0;
    public const int NoPlatform = 1;
    public const int InvalidConfiguration = 2;

    /// <summary>Writes the selection error, if any, to <paramref name="error"/> and returns the exit code.</summary>
    public static int Report(SelectionReport report, TextWriter error)
    {
        if (report.Error is null)
        {
            return Success;
        }

        error.WriteLine($"error: {report.Error.Message}");
        return report.Error is PlatformConfigurationException ? InvalidConfiguration : NoPlatform;
    }
}
