using System.Composition;
using System.Diagnostics;
using Sgl.Platforms.Discovery;

namespace Sgl.Platforms.Tests.Matching;

/// <summary>
/// The contract's build targets keep a plugin package's manifest index equal to what the built assembly declares: a real
/// <c>dotnet build</c> of a small plugin project (one project, no package restore, about 15 s).
/// </summary>
public sealed class PackageIndexGenerationTests : IDisposable
{
    private readonly string _project = Path.Combine(Path.GetTempPath(), "sgl-index-gen-" + Guid.NewGuid().ToString("N")[..12]);

    [Fact]
    public void A_build_keeps_the_manifest_index_equal_to_what_the_assembly_declares_and_a_CI_build_refuses_a_stale_one()
    {
        var props = CreatePluginProject();

        var before = Build("-p:SglPlatformPluginIndexUpdate=false");
        before.ExitCode.Should().Be(0, "a plugin that predates the index still builds in CI: " + before.Output);
        before.Output.Should().Contain("warning SGLP005");
        File.ReadAllText(props).Should().NotContain("<Index>");

        var local = Build("-p:SglPlatformPluginIndexUpdate=true");

        local.ExitCode.Should().Be(0, local.Output);
        var assembly = Path.Combine(_project, "bin", "Debug", "net10.0", "Vendor.Gen.dll");
        var expected = PackagePluginIndex.Format(PlatformIndex.Entries("Vendor.Gen.dll", PluginAssemblyInspector.Inspect(assembly)));
        expected.Should().Contain("\"priority\":210").And.Contain("{\"pciVendor\":\"0x1e0f\",\"pciDevices\":[\"0x0001\"],\"pciClasses\":[\"0x0302\"]}")
            .And.Contain("{\"deviceNodes\":[\"gen*\",\"accel/gen?\"],\"kernelDrivers\":[\"gen_drv\"]}");
        var written = System.Xml.Linq.XDocument.Load(props).Descendants("Index").Single().Value;
        written.Should().Be(expected, "the build reads the assembly as the host does");
        PackagePluginIndex.Parse("Vendor.Gen", written).Problem.Should().BeNull();

        File.WriteAllText(props, File.ReadAllText(props).Replace("\"priority\":210", "\"priority\":100", StringComparison.Ordinal));
        var ci = Build("-p:SglPlatformPluginIndexUpdate=false");

        ci.ExitCode.Should().NotBe(0);
        ci.Output.Should().Contain("error SGLP003").And.Contain("<Index>" + expected + "</Index>");
        File.ReadAllText(props).Should().Contain("\"priority\":100", "a CI build reports and never rewrites");

        // An assembly that also exports a contribution gets no index: the host would skip it whole on the index's word.
        File.WriteAllText(Path.Combine(_project, "GenAttention.cs"), """
            using System.Composition;
            using Sgl.Platforms.Contributions;
            using Sgl.Platforms.Devices;

            namespace Vendor.Gen;

            [Export(typeof(AttentionBackendContribution))]
            [PlatformContribution("gen_attn", Extends = "cuda")]
            public sealed class GenAttention : AttentionBackendContribution
            {
                public override IAttentionBackend CreateBackend(AttentionBackendContext context) => throw new NotSupportedException("no kernels");
            }
            """);
        var mixed = Build("-p:SglPlatformPluginIndexUpdate=true");

        mixed.ExitCode.Should().Be(0, mixed.Output);
        File.ReadAllText(props).Should().NotContain("<Index>");
    }

    public void Dispose()
    {
        try
        {
            Directory.Delete(_project, recursive: true);
        }
        catch (IOException)
        {
            // A build server may still hold a file; the temp folder is cleaned by the OS.
        }
    }

    private string CreatePluginProject()
    {
        Directory.CreateDirectory(Path.Combine(_project, "buildTransitive"));
        var targets = Path.Combine(RepositoryRoot(), "src", "Sgl.Platforms.Abstractions", "buildTransitive", "Sgl.Platforms.Abstractions.targets");
        File.WriteAllText(Path.Combine(_project, "Vendor.Gen.csproj"), $"""
            <Project Sdk="Microsoft.NET.Sdk">
              <PropertyGroup>
                <TargetFramework>net10.0</TargetFramework>
                <PackageId>Vendor.Gen</PackageId>
                <ImplicitUsings>enable</ImplicitUsings>
              </PropertyGroup>
              <ItemGroup>
                <Reference Include="{typeof(Platform).Assembly.Location}" />
                <Reference Include="{typeof(ExportAttribute).Assembly.Location}" />
              </ItemGroup>
              <Import Project="{targets}" />
            </Project>
            """);
        File.WriteAllText(Path.Combine(_project, "GenPlatform.cs"), """
            using System.Composition;
            using Sgl.Platforms;
            using Sgl.Platforms.Probing;

            namespace Vendor.Gen;

            [Export(typeof(Platform))]
            [PlatformMetadata("gen", Kind = PlatformEnum.Oot, Priority = 210, Vendor = "Gen")]
            [HardwareMatch(PciVendor = 0x1e0f, PciDevices = [0x0001], PciClasses = [0x0302])]
            [HardwareMatch(DeviceNodes = ["gen*", "accel/gen?"], KernelDrivers = ["gen_drv"])]
            public sealed class GenPlatform : Platform
            {
                protected override ProbeResult ProbeCore(ProbeContext context) => ProbeResult.NotPresent("none");
            }
            """);
        var props = Path.Combine(_project, "buildTransitive", "Vendor.Gen.props");
        File.WriteAllText(props, """
            <Project>
              <ItemGroup>
                <SglPlatformPlugin Include="Vendor.Gen" />
              </ItemGroup>
            </Project>
            """);
        return props;
    }

    private (int ExitCode, string Output) Build(string property)
    {
        var start = new ProcessStartInfo("dotnet", ["build", _project, "-nologo", "--disable-build-servers", property])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            WorkingDirectory = _project,
        };
        // The test host's MSBuild variables would point the child build at this test's own SDK resolution.
        foreach (var key in start.Environment.Keys.Where(k => k.StartsWith("MSBuild", StringComparison.OrdinalIgnoreCase) || k == "CI").ToList())
        {
            start.Environment.Remove(key);
        }

        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEnd();
        process.WaitForExit();
        return (process.ExitCode, output.Result + error);
    }

    private static string RepositoryRoot()
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "Platforms.sln")))
        {
            dir = dir.Parent;
        }

        return dir?.FullName ?? throw new InvalidOperationException("The repository root (Platforms.sln) is not above the test output.");
    }
}
