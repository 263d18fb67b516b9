using System.Xml.Linq;

namespace Sgl.Platforms.EndToEnd.Tests;

/// <summary>
/// The NuGet.config the template writes. With the default <c>--sgl-feed</c> (nuget.org) it once listed the same URL
/// under two keys; NuGet keeps one, the mapping of <c>*</c> then named a source that was gone, and a restore with an
/// empty cache failed for every package (NU1100).
/// </summary>
[Trait("Category", "EndToEnd")]
public sealed class TemplateNuGetConfigTests(PackageFeed feed)
{
    private const string NuGetOrg = "https://api.nuget.org/v3/index.json";

    [Fact]
    public void The_default_feed_is_one_nuget_org_source_mapped_to_every_package_and_a_folder_feed_gets_sgl_packages_only()
    {
        var hive = Path.Combine(feed.Root, "template-hive-nuget-config");
        feed.Dotnet(feed.Root, "new", "install", Directory.GetFiles(feed.Feed, "Sgl.Platform.Templates.*.nupkg").Single(), "--debug:custom-hive", hive);

        var byDefault = Generate(hive, "Sgl.Platform.Plain");
        Sources(byDefault).Should().Equal(new[] { ("nuget.org", NuGetOrg) }, "one source, not the same URL twice");
        Mappings(byDefault).Should().Equal(("nuget.org", "*"));

        var fromFolder = Generate(hive, "Sgl.Platform.Folder", "--sgl-feed", feed.Feed);
        Sources(fromFolder).Should().Equal(("sgl", feed.Feed), ("nuget.org", NuGetOrg));
        Mappings(fromFolder).Should().Equal(("sgl", "Sgl.*"), ("nuget.org", "*"));

        foreach (var config in new[] { byDefault, fromFolder })
        {
            config.Root!.Element("packageSources")!.Elements().First().Name.LocalName.Should().Be("clear", "sources of a NuGet.config above the plugin do not apply");
            config.Root!.Element("packageSourceMapping")!.Elements().First().Name.LocalName.Should().Be("clear", "nor do its source mappings");
            config.ToString().Should().NotContain("#if").And.NotContain("#endif");
        }
    }

    private XDocument Generate(string hive, string name, params string[] options)
    {
        var output = Path.Combine(feed.Root, "apps", name);
        feed.Dotnet(feed.Root, ["new", "sgl-platform", "--debug:custom-hive", hive, "-n", name, "-o", output, "--pci-vendor-id", "0x1e0f", .. options]);
        return XDocument.Load(Path.Combine(output, "NuGet.config"));
    }

    private static List<(string Key, string Value)> Sources(XDocument config) =>
        config.Root!.Element("packageSources")!.Elements("add").Select(e => ((string)e.Attribute("key")!, (string)e.Attribute("value")!)).ToList();

    private static List<(string Key, string Pattern)> Mappings(XDocument config) =>
        config.Root!.Element("packageSourceMapping")!.Elements("packageSource")
            .SelectMany(s => s.Elements("package").Select(p => ((string)s.Attribute("key")!, (string)p.Attribute("pattern")!))).ToList();
}
