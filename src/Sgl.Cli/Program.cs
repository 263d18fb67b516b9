using System.CommandLine;
using Sgl.Cli.Commands;
using Sgl.Platforms.Selection;

// sgl's stdout is its output (--json is read by programs): what plugin code writes there while platforms
// are resolved goes to stderr instead, and an exit it asks for during resolution is reported.
PluginCodeGuard.ProtectStandardOutput = true;

var root = new RootCommand("sgl: hardware platforms for the Sgl runtimes.");
root.Subcommands.Add(PlatformsCommand.Create());
root.Subcommands.Add(LaunchCommand.Create());
root.Subcommands.Add(DiffuseCommand.Create());
var exitCode = await root.Parse(args).InvokeAsync();

// The command is done: a foreground thread that plugin code started (in a constructor or a probe) must not keep sgl alive.
Console.Out.Flush();
Console.Error.Flush();
Environment.Exit(exitCode);
return exitCode;
