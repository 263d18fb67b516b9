using System.CommandLine;
using Sgl.Platforms.Isolation;

namespace Sgl.Cli.Commands;

/// <summary>
/// <c>sgl platforms probe-host</c> (hidden): the child process of <c>SGL_PROBE_ISOLATION=process</c>.
/// Reads a probe request on stdin and writes one JSON line per probe on stdout.
/// </summary>
internal static class PlatformsProbeHostCommand
{
    public static Command Create()
    {
        var command = new Command("probe-host", "Run platform probes for an isolating parent process (internal).") { Hidden = true };
        command.SetAction(_ =>
        {
            // Plugin code may write to the console; only protocol lines may reach the parent's pipe.
            var protocol = Console.Out;
            Console.SetOut(Console.Error);
            var exitCode = ProbeHostServer.Run(Console.In, protocol);
            protocol.Flush();

            // A hung probe's thread must not keep the host alive once every result is written.
            Environment.Exit(exitCode);
            return exitCode;
        });
        return command;
    }
}
