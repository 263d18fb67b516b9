using System.CommandLine;
using Sgl.Platforms;
using Sgl.Platforms.Installer;
using Spectre.Console;

namespace Sgl.Cli.Commands;

/// <summary><c>sgl platforms install &lt;id&gt; [--version] [--source] [--prerelease]</c>: install a plugin from a NuGet feed.</summary>
internal static class PlatformsInstallCommand
{
    public static Command Create()
    {
        var id = new Argument<string>("id") { Description = "The plugin's NuGet package id, for example Sgl.Platform.Musa." };
        var version = new Option<string?>("--version") { Description = "Install this exact version (default: the highest stable one)." };
        var source = new Option<string?>("--source") { Description = "Install from this NuGet.config source (its name, URL or folder)." };
        var prerelease = new Option<bool>("--prerelease") { Description = "Allow prerelease versions when --version is not given." };
        var command = new Command("install", "Install a platform plugin from a NuGet feed into SGL_PLATFORMS_HOME and pin it in platforms.lock.json.")
        {
            id, version, source, prerelease,
        };
        command.SetAction((parse, token) => RunAsync(
            new PluginInstallRequest(parse.GetValue(id)!) { Version = parse.GetValue(version), Source = parse.GetValue(source), Prerelease = parse.GetValue(prerelease) },
            parse.InvocationConfiguration.Output, parse.InvocationConfiguration.Error, token));
        return command;
    }

    private static async Task<int> RunAsync(PluginInstallRequest request, TextWriter output, TextWriter error, CancellationToken token)
    {
        var console = PlatformsInstallOutput.Console(output);
        try
        {
            var installer = new PluginInstaller();
            var installed = await PlatformsInstallOutput.WithProgressAsync(console, progress => installer.InstallAsync(request, progress, token));
            console.MarkupLine($"Installed [green]{Markup.Escape(installed.Id)} {Markup.Escape(installed.Version)}[/] (platforms: {Markup.Escape(PlatformsInstallOutput.PlatformNames(installed.Platforms))})");
            console.WriteLine($"  from {installed.Source}");
            console.WriteLine($"  into {installed.Directory}");
            if (installed.Dependencies.Count > 0)
            {
                console.WriteLine($"  with {string.Join(", ", installed.Dependencies)}");
            }

            console.WriteLine($"  pinned in {Path.Combine(installer.PlatformsHome, "platforms.lock.json")}");
            return 0;
        }
        catch (Exception e) when (e is PluginInstallException or PlatformConfigurationException)
        {
            return PlatformsInstallOutput.Fail(e, error);
        }
    }
}
