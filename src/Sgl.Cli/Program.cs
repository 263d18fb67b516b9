using System.CommandLine;
using Sgl.Cli.Commands;

var root = new RootCommand("sgl: hardware platforms for the Sgl runtimes.");
root.Subcommands.Add(PlatformsCommand.Create());
root.Subcommands.Add(LaunchCommand.Create());
root.Subcommands.Add(DiffuseCommand.Create());
return await root.Parse(args).InvokeAsync();
