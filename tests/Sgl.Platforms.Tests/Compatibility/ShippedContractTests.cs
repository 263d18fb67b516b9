using System.IO.Compression;
using Sgl.Platforms.Devices;
using Sgl.Platforms.Selection;
using Sgl.Platforms.Tests.Support;
using Sgl.Runtime.Entrypoints;

namespace Sgl.Platforms.Tests.Compatibility;

/// <summary>
/// The v1 promise (docs/contract.md): a plugin built against the contract as it shipped, 1.0.0
/// (eng/contract/Sgl.Platforms.Abstractions.1.0.0.nupkg), loads and runs in the host built from these sources.
/// </summary>
public sealed class ShippedContractTests
{
    /// <summary>A vendor plugin that uses the v1 surface: capabilities, serving hooks with a graph runner, its own server defaults.</summary>
    private const string PluginSource = """
        using System;
        using System.Collections.Generic;
        using System.Composition;
        using Sgl.Platforms;
        using Sgl.Platforms.Devices;
        using Sgl.Platforms.Probing;
        using Sgl.Platforms.Serving;

        namespace Vendor.Shipped;

        [Export(typeof(Platform))]
        [PlatformMetadata("shipped", Kind = PlatformEnum.Oot, Priority = 300, Vendor = "Built against 1.0.0")]
        public sealed class ShippedPlatform : Platform
        {
            public override string DistributedBackend => "gloo";
            protected override ProbeResult ProbeCore(ProbeContext context) => ProbeResult.Available([new DeviceInfo(0, "a 1.0.0 device") { MemoryBytes = 1L << 30 }]);
            protected override PlatformCapabilities DescribeCapabilities(IReadOnlyList<DeviceInfo> devices) => new() { MaxLocalRanks = devices.Count };
            protected override ServingHooks CreateServingHooks() => new ShippedServing(this);
        }

        public sealed class ShippedServing(Platform platform) : ServingHooks(platform)
        {
            public override void ApplyServerArgsDefaults(ServerArgs args)
            {
                base.ApplyServerArgsDefaults(args);
                args.ChunkedPrefillSize ??= 4;
            }
        }
        """;

    [Fact]
    public void A_plugin_compiled_against_the_shipped_1_0_0_contract_is_selected_and_runs_the_model()
    {
        using var scenario = new SelectionScenario();
        var contract = ExtractShippedContract(PluginCompiler.NewDirectory());
        var path = PluginCompiler.Compile(scenario.PluginDirectory, SelectionScenario.UniqueAssemblyName("Vendor.Shipped"), PluginSource, contract: contract);
        scenario.PluginPaths.Add(path);

        var report = scenario.Resolve();
        var result = Engine.Generate(new Sgl.Platforms.Serving.ServerArgs { MaxTotalTokens = 64 }, new GenerationRequest("The platform is", 8), report.Platform!);

        report.Selected.Should().Be("shipped", report.Candidates.Single(c => c.Name == "shipped").Reason);
        result.OutputTokenIds.Should().HaveCount(8);
        result.Plan.Compute.Should().Contain("platform 'shipped' has no device layer");
    }

    [Fact]
    public void The_shipped_package_is_the_contract_this_host_accepts()
    {
        using var archive = ZipFile.OpenRead(ShippedPackage);

        archive.GetEntry("lib/net10.0/Sgl.Platforms.Abstractions.dll").Should().NotBeNull();
        typeof(Platform).Assembly.GetName().Version!.Major.Should().Be(1, "the host accepts contract 1.x, the shipped package's major version");
    }

    private static string ShippedPackage
    {
        get
        {
            for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            {
                var package = Path.Combine(dir.FullName, "eng", "contract", "Sgl.Platforms.Abstractions.1.0.0.nupkg");
                if (File.Exists(package))
                {
                    return package;
                }
            }

            throw new InvalidOperationException($"eng/contract/Sgl.Platforms.Abstractions.1.0.0.nupkg not found above {AppContext.BaseDirectory}.");
        }
    }

    private static string ExtractShippedContract(string directory)
    {
        using var archive = ZipFile.OpenRead(ShippedPackage);
        var target = Path.Combine(directory, "Sgl.Platforms.Abstractions.dll");
        archive.GetEntry("lib/net10.0/Sgl.Platforms.Abstractions.dll")!.ExtractToFile(target);
        return target;
    }
}
