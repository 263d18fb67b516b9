using System.CommandLine;
using System.Reflection;
using Microsoft.Extensions.Logging.Abstractions;
using Sgl.Platforms;
using Sgl.Runtime.Entrypoints;

namespace Sgl.Cli.Commands;

/// <summary>
/// <c>sgl launch-worker</c> (hidden): one rank of <c>sgl launch --tp-size N</c>, started by the launcher with its
/// decision in the environment (<c>SGL_PLATFORM</c>, the rendezvous secret). Not for users.
/// </summary>
internal static class LaunchWorkerCommand
{
    public static Command Create()
    {
        var rank = new Option<int>("--rank") { Description = "This worker's rank.", Required = true };
        var rendezvous = new Option<string>("--rendezvous") { Description = "The launcher's rendezvous store, host:port.", Required = true };
        var command = new Command(WorkerGroup.WorkerVerb, "One rank of 'sgl launch --tp-size N'; started by the launcher.") { Hidden = true };
        command.Options.Add(rank);
        command.Options.Add(rendezvous);
        command.SetAction(parse => WorkerGroup.RunWorker(
            parse.GetValue(rendezvous)!,
            parse.GetValue(rank),
            static () =>
            {
                var report = CurrentPlatform.Resolve(static () => PlatformOptions.FromEnvironment(), NullLogger.Instance);
                return (report.Selected, report.Platform, report.Error?.Message);
            },
            parse.InvocationConfiguration.Error));
        return command;
    }
}

/// <summary>How <c>sgl launch</c> starts its workers: this same <c>sgl</c>, directly or through the dotnet muxer.</summary>
internal static class WorkerLaunch
{
    /// <summary>The command that starts a worker, or null with the reason when this process cannot start one.</summary>
    [System.Diagnostics.CodeAnalysis.UnconditionalSuppressMessage("SingleFile", "IL3000",
        Justification = "Location is read only when sgl runs through the dotnet muxer, which is never a single-file app.")]
    public static WorkerCommand? Command(out string? problem)
    {
        problem = null;
        var self = Environment.ProcessPath;
        var entry = Assembly.GetEntryAssembly();
        if (self is null)
        {
            problem = "the path of this executable is unknown, so worker processes cannot be started";
            return null;
        }

        if (Path.GetFileNameWithoutExtension(self) != "dotnet")
        {
            return new WorkerCommand(self, []);
        }

        if (entry?.GetName().Name == "sgl")
        {
            return new WorkerCommand(self, [entry.Location]);
        }

        problem = "sgl is hosted by another program, so worker processes cannot be started";
        return null;
    }
}
