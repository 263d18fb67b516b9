using System.Collections.Concurrent;
using System.Globalization;
using Sgl.Platforms;
using Sgl.Platforms.Installer;
using Spectre.Console;

namespace Sgl.Cli.Commands;

/// <summary>What install, remove, restore and <c>list --installed</c> share: the console, download progress and error reporting.</summary>
internal static class PlatformsInstallOutput
{
    /// <summary>A plugin's platforms as the commands print them; a contribution-only package exports none.</summary>
    public static string PlatformNames(IReadOnlyList<string> platforms) =>
        platforms.Count == 0 ? "none, it contributes to platforms (see 'sgl platforms list')" : string.Join(", ", platforms);

    public static IAnsiConsole Console(TextWriter output)
    {
        // Redirected output (scripts, logs) gets no colours and a wide table rather than 80 wrapped columns.
        var terminal = output == System.Console.Out && !System.Console.IsOutputRedirected;
        var console = AnsiConsole.Create(new AnsiConsoleSettings
        {
            Out = new AnsiConsoleOutput(output),
            Ansi = terminal ? AnsiSupport.Detect : AnsiSupport.No,
            ColorSystem = terminal ? ColorSystemSupport.Detect : ColorSystemSupport.NoColors,
            Interactive = terminal ? InteractionSupport.Detect : InteractionSupport.No,
        });
        if (!terminal)
        {
            console.Profile.Width = 200;
        }

        return console;
    }

    /// <summary>Runs <paramref name="operation"/> with one progress bar per package download.</summary>
    public static async Task<T> WithProgressAsync<T>(IAnsiConsole console, Func<IProgress<PackageDownloadProgress>, Task<T>> operation)
    {
        T result = default!;
        await console.Progress()
            .AutoClear(false)
            .Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new SpinnerColumn())
            .StartAsync(async context =>
            {
                var tasks = new ConcurrentDictionary<string, ProgressTask>(StringComparer.OrdinalIgnoreCase);
                var progress = new DownloadProgress(report =>
                {
                    var task = tasks.GetOrAdd($"{report.PackageId} {report.Version}", name => context.AddTask(Markup.Escape(name), maxValue: 1).IsIndeterminate());
                    task.Description = Markup.Escape(string.Create(CultureInfo.InvariantCulture, $"{report.PackageId} {report.Version} ({report.BytesReceived / 1024.0:0} KiB)"));
                    if (report.Completed)
                    {
                        task.IsIndeterminate(false).Value = 1;
                        task.StopTask();
                    }
                });
                result = await operation(progress);
            });
        return result;
    }

    /// <summary>Prints the error (what happened and the fix) and returns the exit code: 2 for a bad setting, 3 for an operation that could not finish.</summary>
    public static int Fail(Exception e, TextWriter error)
    {
        error.WriteLine($"error: {e.Message}");
        return e is PlatformConfigurationException ? ExitCodes.InvalidInput : ExitCodes.Incomplete;
    }

    /// <summary>Reports synchronously on the downloading thread, so the bars follow the bytes.</summary>
    private sealed class DownloadProgress(Action<PackageDownloadProgress> report) : IProgress<PackageDownloadProgress>
    {
        public void Report(PackageDownloadProgress value) => report(value);
    }
}
