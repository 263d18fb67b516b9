using Sgl.Platforms;
using Sgl.Platforms.Selection;

namespace Sgl.Cli;

/// <summary>
/// The exit codes of every <c>sgl</c> command: 0 success; 1 no platform could be selected; 2 a setting or
/// argument is invalid; 3 the operation could not finish (a launch stopped short, an install, removal or
/// restore failed and left the home as it was, a worker process failed); 70 plugin code ended the process while
/// platforms were being resolved or while <c>sgl launch</c> ran the model (set by <see cref="Sgl.Platforms.Selection.PluginCodeGuard"/>).
/// </summary>
internal static class ExitCodes
{
    public const int Success = 0;
    public const int NoPlatform = 1;
    public const int InvalidInput = 2;
    public const int Incomplete = 3;

    /// <summary>Writes the selection error, if any, to <paramref name="error"/> and returns the exit code.</summary>
    public static int Report(SelectionReport report, TextWriter error)
    {
        if (report.Error is null)
        {
            return Success;
        }

        error.WriteLine($"error: {report.Error.Message}");
        return report.Error is PlatformConfigurationException ? InvalidInput : NoPlatform;
    }
}
