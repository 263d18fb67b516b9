using System.CommandLine;
using Sgl.Platforms;
using Sgl.Platforms.Installer;

namespace Sgl.Cli.Commands;

/// <summary><c>sgl platforms remove &lt;id&gt;</c>: uninstall a plugin and unpin it.</summary>
internal static class PlatformsRemoveCommand
{
    public static Command Create()
    {
        var id = new Argument<string>("id") { Description = "The installed plugin's package id." };
        var command = new Command("remove", "Remove an installed platform plugin and its entry in platforms.lock.json.") { id };
        command.SetAction((parse, token) => RunAsync(parse.GetValue(id)!, parse.InvocationConfiguration.Output, parse.InvocationConfiguration.Error, token));
        return command;
    }

    private static async Task<int> RunAsync(string id, TextWriter output, TextWriter error, CancellationToken token)
    {
        try
        {
            var removed = await new PluginInstaller().RemoveAsync(id, token);
            output.WriteLine($"Removed {removed.Id} {removed.Version} (platforms: {PlatformsInstallOutput.PlatformNames(removed.Platforms)}).");
            return 0;
        }
        catch (Exception e) when (e is PluginInstallException or PlatformConfigurationException)
        {
            return PlatformsInstallOutput.Fail(e, error);
        }
    }
}
