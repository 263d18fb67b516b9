using System.CommandLine;
using System.Globalization;
using Microsoft.Extensions.Logging.Abstractions;
using Sgl.Platforms;
using Sgl.Platforms.Contributions;
using Sgl.Platforms.Selection;
using Spectre.Console;

namespace Sgl.Cli.Commands;

/// <summary><c>sgl platforms list [--json] [--app APP.dll] [--installed]</c>: the selection report as a table or JSON.</summary>
internal static class PlatformsListCommand
{
    public static Command Create()
    {
        var json = new Option<bool>("--json") { Description = "Print the selection report as JSON." };
        var installed = new Option<bool>("--installed") { Description = "List the plugins installed with 'sgl platforms install' instead, and whether each verifies." };
        var app = new Option<FileInfo?>("--app")
        {
            Description = "Resolve as the given application would: its platform packages (from its build-time manifest) are listed too. Pass its main .dll.",
        };
        var command = new Command("list", "Show every platform candidate, what its probe found, and which one is selected.") { json, installed, app };
        command.SetAction(parse => parse.GetValue(installed)
            ? PlatformsInstalledListing.Run(parse.GetValue(json), parse.InvocationConfiguration.Output, parse.InvocationConfiguration.Error)
            : Run(parse.GetValue(json), parse.GetValue(app), parse.InvocationConfiguration.Output, parse.InvocationConfiguration.Error));
        return command;
    }

    private static int Run(bool json, FileInfo? app, TextWriter output, TextWriter error)
    {
        // The table is the report, so the resolver's own log line would only repeat it.
        var report = app is null
            ? CurrentPlatform.Resolve(static () => PlatformOptions.FromEnvironment(), NullLogger.Instance)
            : new PlatformResolver(PlatformOptions.FromEnvironment(), NullLogger.Instance, app.FullName).Resolve();
        if (json)
        {
            output.WriteLine(report.ToJson());
        }
        else
        {
            WriteTable(report, output);
            if (app is null && Doctor.PlatformDoctor.ForEnvironment().Examine() is { Consistent: false } doctor)
            {
                output.WriteLine($"hint: 'sgl platforms doctor' finds {doctor.Findings.Count} problem(s): {doctor.Findings[0].Message}");
            }
        }

        return ExitCodes.Report(report, error);
    }

    private static void WriteTable(SelectionReport report, TextWriter output)
    {
        // A terminal gets colour and its own width; a pipe or file gets plain text wide enough not to wrap cells.
        var terminal = output == Console.Out && !Console.IsOutputRedirected;
        var console = AnsiConsole.Create(new AnsiConsoleSettings
        {
            Out = new AnsiConsoleOutput(output),
            Ansi = terminal ? AnsiSupport.Detect : AnsiSupport.No,
            ColorSystem = terminal ? ColorSystemSupport.Detect : ColorSystemSupport.NoColors,
        });
        if (!terminal)
        {
            console.Profile.Width = 200;
        }

        var table = new Table().Border(TableBorder.Rounded)
            .AddColumn("").AddColumn("name").AddColumn("kind").AddColumn("source").AddColumn("version")
            .AddColumn(new TableColumn("priority").RightAligned()).AddColumn("status")
            .AddColumn(new TableColumn("probe ms").RightAligned()).AddColumn("devices");
        foreach (var c in report.Candidates)
        {
            var selected = c.Name == report.Selected;
            table.AddRow(
                selected ? "[green]*[/]" : "",
                Markup.Escape(c.Name),
                c.Kind,
                c.Source.ToString(),
                Markup.Escape(ShortVersion(c.Version)),
                c.Priority.ToString(CultureInfo.InvariantCulture),
                StatusMarkup(c.Status),
                c.ProbeMs?.ToString("0.0", CultureInfo.InvariantCulture) ?? "-",
                Markup.Escape(string.Join("\n", TableLimits.DeviceLines(c.Devices, FormatDevice))));
        }

        console.Write(table);
        foreach (var c in report.Candidates.Where(c => !string.IsNullOrEmpty(c.Reason)))
        {
            console.MarkupLine($"  [bold]{Markup.Escape(c.Name)}[/] ({c.Status}): {Markup.Escape(TableLimits.Reason(c.Reason!))}");
        }

        WriteContributions(report, console);
        console.MarkupLine(report.Selected is null
            ? "[red]No platform selected.[/]"
            : $"Selected: [green]{Markup.Escape(report.Selected)}[/]");
    }

    /// <summary>Contributions, grouped under the platform they extend: what each adds, and what happened to it.</summary>
    private static void WriteContributions(SelectionReport report, IAnsiConsole console)
    {
        foreach (var target in report.Contributions.GroupBy(c => c.Extends, StringComparer.Ordinal))
        {
            console.MarkupLine($"Contributions to [bold]{Markup.Escape(target.Key.Length == 0 ? "(no platform named)" : target.Key)}[/]:");
            foreach (var c in target)
            {
                var status = c.Status switch
                {
                    ContributionStatus.Active => "[green]Active[/]",
                    ContributionStatus.Failed or ContributionStatus.TimedOut or ContributionStatus.Rejected => $"[red]{c.Status}[/]",
                    _ => c.Status.ToString(),
                };
                var reason = string.IsNullOrEmpty(c.Reason) ? "" : ": " + Markup.Escape(TableLimits.Reason(c.Reason));
                console.MarkupLine(string.Create(CultureInfo.InvariantCulture,
                    $"  {Markup.Escape(c.Name)} ({c.Kind}, priority {c.Priority}, {Markup.Escape(c.Assembly)} {Markup.Escape(ShortVersion(c.Version))}) {status}{reason}"));
            }
        }
    }

    /// <summary>Drops the source revision SourceLink appends (1.0.0+abc123...), which only widens the table.</summary>
    private static string ShortVersion(string version) => version.Split('+')[0];

    private static string FormatDevice(DeviceReport d)
    {
        var memory = d.MemoryBytes is { } bytes ? string.Create(CultureInfo.InvariantCulture, $", {bytes / (1024.0 * 1024 * 1024):0.0} GiB") : "";
        var capability = d.Capability is null ? "" : $", {d.Capability}";
        return string.Create(CultureInfo.InvariantCulture, $"{d.Index}: {d.Name}{memory}{capability}");
    }

    private static string StatusMarkup(CandidateStatus status) => status switch
    {
        CandidateStatus.Available => "[green]Available[/]",
        CandidateStatus.Failed or CandidateStatus.TimedOut or CandidateStatus.Rejected => $"[red]{status}[/]",
        CandidateStatus.Unavailable => "[yellow]Unavailable[/]",
        _ => status.ToString(),
    };
}
