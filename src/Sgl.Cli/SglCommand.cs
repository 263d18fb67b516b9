using System.CommandLine;
using Sgl.Cli.Commands;

namespace Sgl.Cli;

/// <summary>The <c>sgl</c> command tree.</summary>
internal static class SglCommand
{
    public static RootCommand Create()
    {
        var root = new RootCommand("sgl: hardware platforms for the Sgl runtimes.");
        root.Subcommands.Add(PlatformsCommand.Create());
        root.Subcommands.Add(LaunchCommand.Create());
        root.Subcommands.Add(DiffuseCommand.Create());
        root.Subcommands.Add(LaunchWorkerCommand.Create());
        return root;
    }
}
