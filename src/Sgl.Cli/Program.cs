using Sgl.Cli;

// Argument errors are reported (exit 2) before any command runs, so nothing is probed for a mistyped command line.
return await ArgumentErrors.InvokeAsync(SglCommand.Create().Parse(args));
