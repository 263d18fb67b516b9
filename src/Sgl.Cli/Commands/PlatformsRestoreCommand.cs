using System.CommandLine;
using Sgl.Platforms;
using Sgl.Platforms.Installer;
using Spectre.Console;

namespace Sgl.Cli.Commands;

/// <summary><c>sgl platforms restore</c>: make the home hold exactly what platforms.lock.json pins.</summary>
internal static class PlatformsRestoreCommand
{
    public static Command Create()
    {
        var command = new Command("restore",
            "Reinstall every plugin platforms.lock.json pins whose folder is missing or changed, checking each package against its pinned SHA-512. " +
            "Copy the lock file to a node and run this to give it the same plugins.");
        command.SetAction((parse, token) => RunAsync(parse.InvocationConfiguration.Output, parse.InvocationConfiguration.Error, token));
        return command;
    }

    private static async Task<int> RunAsync(TextWriter output, TextWriter error, CancellationToken token)
    {
        var console = PlatformsInstallOutput.Console(output);
        try
        {
            var installer = new PluginInstaller();
            var result = await PlatformsInstallOutput.WithProgressAsync(console, progress => installer.RestoreAsync(progress, token));
            foreach (var plugin in result.Restored)
            {
                console.WriteLine($"Restored {plugin.Id} {plugin.Version} into {plugin.Directory}");
            }

            console.WriteLine(result.Restored.Count + result.AlreadyInPlace.Count == 0
                ? $"Nothing to restore: {Path.Combine(installer.PlatformsHome, "platforms.lock.json")} pins no plugins."
                : $"{result.Restored.Count} restored, {result.AlreadyInPlace.Count} already in place.");
            return 0;
        }
        catch (Exception e) when (e is PluginInstallException or PlatformConfigurationException)
        {
            return PlatformsInstallOutput.Fail(e, error);
        }
    }
}
