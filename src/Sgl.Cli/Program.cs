using Sgl.Cli;
using Sgl.Platforms.Selection;

// sgl's stdout is its output (--json is read by programs): what plugin code writes there while platforms
// are resolved goes to stderr instead, and an exit it asks for during resolution is reported.
PluginCodeGuard.ProtectStandardOutput = true;

// Argument errors are reported (exit 2) before any command runs, so nothing is probed for a mistyped command line.
var exitCode = await ArgumentErrors.InvokeAsync(SglCommand.Create().Parse(args));

// The command is done: a foreground thread that plugin code started (in a constructor or a probe) must not keep sgl alive.
Console.Out.Flush();
Console.Error.Flush();
Environment.Exit(exitCode);
return exitCode;
