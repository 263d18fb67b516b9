using System.Text.Json;

namespace Sgl.Platforms.EndToEnd.Tests;

/// <summary>
/// Vendor packages gone wrong, built on the fly as real packages in the feed and referenced by an app
/// next to Sgl.Platform.Musa: each must show up in the selection report naming the package and what
/// to do, while the app still starts.
/// </summary>
[Trait("Category", "EndToEnd")]
public sealed class BadPackageTests(PackageFeed feed)
{
    private const string OldContract = "Sgl.Platform.TestOldContract";
    private const string DuplicateMusa = "Sgl.Platform.TestDuplicateMusa";
    private const string NoExport = "Sgl.Platform.TestNoExport";
    private static readonly Lock Gate = new();
    private static JsonElement[]? s_candidates;

    [Fact]
    public void A_plugin_built_against_another_contract_major_version_is_rejected_naming_both_versions()
    {
        var candidate = Candidate(OldContract);

        candidate.GetProperty("status").GetString().Should().Be("Rejected");
        candidate.GetProperty("reason").GetString().Should()
            .Contain(OldContract).And.Contain("Sgl.Platforms.Abstractions 2.0").And.Contain("1.0").And.Contain("install a version of the plugin built for contract 1.x");
    }

    [Fact]
    public void Two_packages_exporting_the_same_name_are_both_named_with_the_fix()
    {
        var duplicates = Candidates().Where(c => c.GetProperty("name").GetString() == "musa").ToArray();

        duplicates.Should().HaveCount(2);
        duplicates.Select(c => c.GetProperty("status").GetString()).Should().AllBe("Rejected");
        duplicates[0].GetProperty("reason").GetString().Should()
            .Contain("'Sgl.Platform.Musa'").And.Contain($"'{DuplicateMusa}'").And.Contain("Remove one");
    }

    [Fact]
    public void A_platform_type_without_an_export_is_named_with_the_missing_attribute()
    {
        var candidate = Candidates().Single(c => c.GetProperty("assembly").GetString() == NoExport);

        candidate.GetProperty("status").GetString().Should().Be("Rejected");
        candidate.GetProperty("reason").GetString().Should().Contain(NoExport).And.Contain("[Export(typeof(Platform))]");
    }

    private JsonElement Candidate(string assembly) => Candidates().Single(c => c.GetProperty("assembly").GetString() == assembly);

    private JsonElement[] Candidates()
    {
        lock (Gate)
        {
            return s_candidates ??= BuildAndReport();
        }
    }

    private JsonElement[] BuildAndReport()
    {
        var contract2 = BuildContractVersion2();
        Pack(OldContract, PlatformSource("oldcontract", export: true), contract2);
        Pack(DuplicateMusa, PlatformSource("musa", export: true), contractAssembly: null);
        Pack(NoExport, PlatformSource("noexport", export: false), contractAssembly: null);

        var app = feed.NewProject("AppWithBadPackages");
        foreach (var package in new[] { "Sgl.Platforms", "Sgl.Platform.Musa", OldContract, DuplicateMusa, NoExport })
        {
            feed.Dotnet(app, "add", "package", package);
        }

        File.WriteAllText(Path.Combine(app, "Program.cs"), """
            using Sgl.Platforms;

            Console.WriteLine(CurrentPlatform.Report.ToJson());
            """);
        var result = DotnetCommand.Run("dotnet", app, feed.On(feed.MusaMachine), "run", "-c", "Release").EnsureSuccess();
        var json = result.StandardOutput[result.StandardOutput.IndexOf('{', StringComparison.Ordinal)..];
        using var report = JsonDocument.Parse(json);
        return report.RootElement.GetProperty("candidates").EnumerateArray().Select(c => c.Clone()).ToArray();
    }

    /// <summary>The real contract source built as version 2.0.0.0, standing in for a future major version.</summary>
    private string BuildContractVersion2()
    {
        var artifacts = Path.Combine(feed.Root, "contract-2");
        feed.Dotnet(feed.RepositoryRoot, "build", Path.Combine(feed.RepositoryRoot, "src", "Sgl.Platforms.Abstractions", "Sgl.Platforms.Abstractions.csproj"),
            "-c", "Release", "-p:AssemblyVersion=2.0.0.0", "-p:VersionPrefix=2.0.0", "--artifacts-path", artifacts);
        return Directory.GetFiles(Path.Combine(artifacts, "bin"), "Sgl.Platforms.Abstractions.dll", SearchOption.AllDirectories).Single();
    }

    private void Pack(string packageId, string source, string? contractAssembly)
    {
        var folder = Path.Combine(feed.Root, "plugins", packageId);
        Directory.CreateDirectory(Path.Combine(folder, "buildTransitive"));
        feed.WriteNuGetConfig(folder);
        File.WriteAllText(Path.Combine(folder, "Platform.cs"), source);
        File.WriteAllText(Path.Combine(folder, "buildTransitive", packageId + ".props"), $"""
            <Project>
              <ItemGroup>
                <SglPlatformPlugin Include="{packageId}" />
              </ItemGroup>
            </Project>
            """);

        // A plugin built against another contract keeps the package dependency (for the manifest) but compiles against that contract.
        var contractReference = contractAssembly is null
            ? """<PackageReference Include="Sgl.Platforms.Abstractions" Version="1.1.0" />"""
            : $"""
              <PackageReference Include="Sgl.Platforms.Abstractions" Version="1.1.0" ExcludeAssets="compile;runtime" />
                  <PackageReference Include="System.Composition.AttributedModel" Version="10.0.12" />
                  <Reference Include="Sgl.Platforms.Abstractions" HintPath="{contractAssembly}" />
              """;
        File.WriteAllText(Path.Combine(folder, packageId + ".csproj"), $"""
            <Project Sdk="Microsoft.NET.Sdk">
              <PropertyGroup>
                <TargetFramework>net10.0</TargetFramework>
                <Nullable>enable</Nullable>
                <ImplicitUsings>enable</ImplicitUsings>
                <PackageId>{packageId}</PackageId>
                <Version>1.0.0</Version>
                <Authors>Test Vendor</Authors>
                <Description>A deliberately faulty platform package for the end-to-end tests.</Description>
              </PropertyGroup>
              <ItemGroup>
                {contractReference}
                <None Include="buildTransitive/{packageId}.props" Pack="true" PackagePath="buildTransitive/" />
              </ItemGroup>
            </Project>
            """);
        feed.Dotnet(folder, "pack", "-c", "Release", "-o", feed.Feed);
    }

    private static string PlatformSource(string name, bool export) => $$"""
        using System.Composition;
        using Sgl.Platforms;
        using Sgl.Platforms.Probing;

        namespace TestVendor;

        {{(export ? "[Export(typeof(Platform))]" : "")}}
        [PlatformMetadata("{{name}}", Kind = PlatformEnum.Oot, Vendor = "Test Vendor")]
        public sealed class TestPlatform : Platform
        {
            protected override ProbeResult ProbeCore(ProbeContext context) => ProbeResult.NotPresent("a test plugin finds nothing");
        }
        """;
}
