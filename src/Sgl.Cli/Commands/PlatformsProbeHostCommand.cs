using System.CommandLine;
using System.IO.Pipes;
using System.Text;
using Sgl.Platforms.Isolation;

namespace Sgl.Cli.Commands;

/// <summary>
/// <c>sgl platforms probe-host --results HANDLE</c> (hidden): the child process of <c>SGL_PROBE_ISOLATION=process</c>.
/// Reads a probe request on stdin and writes one JSON line per probe on the private pipe the parent passed;
/// stdout and stderr belong to plugin code and are only shown by the parent.
/// </summary>
internal static class PlatformsProbeHostCommand
{
    public static Command Create()
    {
        var results = new Option<string>(ProbeHostCommand.ResultsOption) { Description = "The inherited handle of the pipe that carries the results (passed by the parent).", Required = true };
        var command = new Command(ProbeHostCommand.Verb, "Run platform probes for an isolating parent process (internal).") { results };
        command.Hidden = true;
        command.SetAction(parse =>
        {
            // Plugin code may write to the console; the results travel on their own pipe.
            Console.SetOut(Console.Error);
            int exitCode;
            using (var pipe = new AnonymousPipeClientStream(PipeDirection.Out, parse.GetValue(results)!))
            using (var protocol = new StreamWriter(pipe, new UTF8Encoding(encoderShouldEmitUTF8Identifier: false)))
            {
                exitCode = ProbeHostServer.Run(Console.In, protocol);
                protocol.Flush();
            }

            // A hung probe's thread must not keep the host alive once every result is written.
            Environment.Exit(exitCode);
            return exitCode;
        });
        return command;
    }
}
