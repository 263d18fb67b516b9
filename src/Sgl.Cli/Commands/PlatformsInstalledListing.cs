using System.Text.Json;
using Sgl.Platforms;
using Sgl.Platforms.Installer;
using Spectre.Console;

namespace Sgl.Cli.Commands;

/// <summary><c>sgl platforms list --installed [--json]</c>: the plugins platforms.lock.json pins, and whether the host would load each.</summary>
internal static class PlatformsInstalledListing
{
    public static int Run(bool json, TextWriter output, TextWriter error)
    {
        IReadOnlyList<InstalledPlugin> installed;
        PluginInstaller installer;
        try
        {
            installer = new PluginInstaller();
            installed = installer.ListInstalled();
        }
        catch (Exception e) when (e is PluginInstallException or PlatformConfigurationException)
        {
            return PlatformsInstallOutput.Fail(e, error);
        }

        if (json)
        {
            output.WriteLine(JsonSerializer.Serialize(installed.ToList(), PlatformsInstalledJsonContext.Default.ListInstalledPlugin));
            return installed.Any(p => p.Problem is not null) ? ExitCodes.Incomplete : 0;
        }

        var console = PlatformsInstallOutput.Console(output);
        if (installed.Count == 0)
        {
            console.WriteLine($"No plugins installed in {installer.PlatformsHome}.");
            return 0;
        }

        var table = new Table().Border(TableBorder.Rounded)
            .AddColumn("id").AddColumn("version").AddColumn("platforms").AddColumn("dependencies").AddColumn("source").AddColumn("status");
        foreach (var p in installed)
        {
            table.AddRow(Markup.Escape(p.Id), Markup.Escape(p.Version), Markup.Escape(PlatformsInstallOutput.PlatformNames(p.Platforms)),
                Markup.Escape(string.Join("\n", p.Dependencies)), Markup.Escape(p.Source), p.Problem is null ? "[green]verified[/]" : "[red]refused[/]");
        }

        console.Write(table);
        foreach (var p in installed.Where(p => p.Problem is not null))
        {
            console.MarkupLine($"  [bold]{Markup.Escape(p.Id)}[/]: {Markup.Escape(p.Problem!)}");
        }

        // Non-zero when the host would refuse a pinned plugin, so a fleet check can gate on it.
        return installed.Any(p => p.Problem is not null) ? ExitCodes.Incomplete : 0;
    }
}
