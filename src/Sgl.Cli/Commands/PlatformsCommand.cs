using System.CommandLine;

namespace Sgl.Cli.Commands;

/// <summary><c>sgl platforms ...</c>: inspect and manage hardware platform plugins.</summary>
internal static class PlatformsCommand
{
    public static Command Create()
    {
        var command = new Command("platforms", "Inspect and manage hardware platform plugins.");
        command.Subcommands.Add(PlatformsListCommand.Create());
        command.Subcommands.Add(PlatformsProbeHostCommand.Create());
        command.Subcommands.Add(PlatformsInstallCommand.Create());
        command.Subcommands.Add(PlatformsRemoveCommand.Create());
        command.Subcommands.Add(PlatformsRestoreCommand.Create());
        command.Subcommands.Add(PlatformsDoctorCommand.Create());
        return command;
    }
}
