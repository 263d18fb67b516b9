using System.CommandLine;
using System.Text.Json;
using Sgl.Cli.Doctor;

namespace Sgl.Cli.Commands;

/// <summary>
/// <c>sgl platforms doctor [--json]</c>: hardware that no platform claims, drivers without their libraries, settings
/// that hide a platform. Runs no plugin code. Exit 0 when all is consistent, 1 with findings.
/// </summary>
internal static class PlatformsDoctorCommand
{
    public const int Findings = 1;

    public static Command Create()
    {
        var json = new Option<bool>("--json") { Description = "Print the findings as JSON." };
        var command = new Command("doctor", "Check that the machine's accelerators, drivers and settings agree with the installed platforms; say what to install or change.") { json };
        command.SetAction(parse => Run(parse.GetValue(json), parse.InvocationConfiguration.Output));
        return command;
    }

    private static int Run(bool json, TextWriter output)
    {
        var report = PlatformDoctor.ForEnvironment().Examine();
        if (json)
        {
            output.WriteLine(JsonSerializer.Serialize(report, DoctorJsonContext.Default.DoctorReport));
        }
        else
        {
            Write(report, output);
        }

        return report.Consistent ? ExitCodes.Success : Findings;
    }

    private static void Write(DoctorReport report, TextWriter output)
    {
        foreach (var item in report.Checked)
        {
            output.WriteLine($"checked: {item}");
        }

        if (report.Consistent)
        {
            output.WriteLine("No problems found: every accelerator present is claimed by a platform, and no setting hides one.");
            return;
        }

        output.WriteLine($"{report.Findings.Count} problem(s) found:");
        foreach (var finding in report.Findings)
        {
            output.WriteLine($"  - {finding.Kind}: {finding.Message}");
            if (finding.Fix is { } fix)
            {
                output.WriteLine($"    fix: {fix}");
            }
        }
    }
}
