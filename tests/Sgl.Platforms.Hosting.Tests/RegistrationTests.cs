using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using Sgl.Platforms.Selection;

namespace Sgl.Platforms.Hosting.Tests;

public sealed class RegistrationTests
{
    [Fact]
    public async Task Calling_AddSglPlatforms_twice_registers_one_set_and_applies_both_delegates()
    {
        var report = Reports.CudaSelected();
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
        builder.Services.AddSglPlatforms(o => o.Platform = "cuda");
        builder.Services.AddSglPlatforms(o => o.Plugins = "musa");
        builder.Services.RemoveAll<PlatformSelection>();
        builder.Services.AddSingleton(sp => new PlatformSelection(sp.GetRequiredService<IOptions<PlatformOptions>>(), _ => report));

        builder.Services.Count(d => d.ServiceType == typeof(SelectionReport)).Should().Be(1);
        builder.Services.Count(d => d.ServiceType == typeof(Platform)).Should().Be(1);
        builder.Services.Count(d => d.ImplementationType == typeof(PlatformSelectionStartupService)).Should().Be(1);
        builder.Services.Count(d => d.ImplementationType == typeof(PlatformOptionsValidator)).Should().Be(1);
        builder.Services.Count(d => d.ImplementationType == typeof(PlatformEnvironmentOverrides)).Should().Be(1);

        using var host = builder.Build();
        host.Services.GetRequiredService<IOptions<HealthCheckServiceOptions>>().Value.Registrations
            .Where(r => r.Name == SglPlatformsServiceCollectionExtensions.HealthCheckName).Should().ContainSingle();
        var options = host.Services.GetRequiredService<IOptions<PlatformOptions>>().Value;
        options.Platform.Should().Be("cuda");
        options.Plugins.Should().Be("musa");

        await host.StartAsync(TestContext.Current.CancellationToken);
        var health = await host.Services.GetRequiredService<HealthCheckService>().CheckHealthAsync(TestContext.Current.CancellationToken);
        health.Entries.Should().ContainKey("sgl-platform").WhoseValue.Status.Should().Be(HealthStatus.Healthy);
        await host.StopAsync(TestContext.Current.CancellationToken);
    }

    [Fact]
    public void Options_bind_every_key_of_the_Sgl_Platforms_section()
    {
        using var root = new Testing.FakeSystemRoot();
        using var host = TestHosts.Build(new Dictionary<string, string?>
        {
            ["Platform"] = "cuda,cpu",
            ["Plugins"] = "musa",
            ["ProbeTimeoutMs"] = "2500",
            ["SystemRoot"] = root.Root,
            ["PluginPath"] = "/opt/dev/plugin.dll",
            ["PlatformsHome"] = "/opt/sgl/platforms",
        });

        var options = host.Services.GetRequiredService<IOptions<PlatformOptions>>().Value;

        options.Should().BeEquivalentTo(new PlatformOptions
        {
            Platform = "cuda,cpu",
            Plugins = "musa",
            ProbeTimeoutMs = "2500",
            SystemRoot = root.Root,
            PluginPath = "/opt/dev/plugin.dll",
            PlatformsHome = "/opt/sgl/platforms",
        });
    }

    [Fact]
    public void The_configure_delegate_wins_over_configuration()
    {
        using var host = TestHosts.Build(
            new Dictionary<string, string?> { ["Platform"] = "rocm", ["ProbeTimeoutMs"] = "2500" },
            configure: o => o.Platform = "cuda");

        var options = host.Services.GetRequiredService<IOptions<PlatformOptions>>().Value;

        options.Platform.Should().Be("cuda");
        options.ProbeTimeoutMs.Should().Be("2500");
    }

    [Fact]
    public void A_set_environment_variable_wins_over_configuration_and_the_configure_delegate()
    {
        var environment = new Dictionary<string, string> { [PlatformEnvironment.Platform] = "cpu" };
        var services = new ServiceCollection()
            .AddSingleton<IConfiguration>(new ConfigurationBuilder()
                .AddInMemoryCollection([KeyValuePair.Create<string, string?>("Sgl:Platforms:Platform", "rocm"), KeyValuePair.Create<string, string?>("Sgl:Platforms:Plugins", "musa")])
                .Build())
            .AddSglPlatforms(o => o.Platform = "cuda");
        services.RemoveAll<IPostConfigureOptions<PlatformOptions>>();
        services.AddSingleton<IPostConfigureOptions<PlatformOptions>>(new PlatformEnvironmentOverrides(environment.GetValueOrDefault));
        using var provider = services.BuildServiceProvider();

        var options = provider.GetRequiredService<IOptions<PlatformOptions>>().Value;

        options.Platform.Should().Be("cpu", "SGL_PLATFORM is set");
        options.Plugins.Should().Be("musa", "SGL_PLATFORM_PLUGINS is not set, so configuration stands");
    }

    [Fact]
    public void Every_option_has_its_environment_variable_applied()
    {
        // Guards against an option added later without its environment variable.
        var properties = typeof(PlatformOptions).GetProperties().Where(p => p.CanWrite && p.PropertyType == typeof(string)).ToList();
        var options = new PlatformOptions();
        foreach (var property in properties)
        {
            property.SetValue(options, "configured");
        }

        var fromEnvironment = new PlatformOptions().WithEnvironmentOverrides(variable => "env:" + variable);
        new PlatformEnvironmentOverrides(variable => "env:" + variable).PostConfigure(Options.DefaultName, options);

        properties.Should().NotBeEmpty();
        foreach (var property in properties)
        {
            property.GetValue(options).Should().Be(property.GetValue(fromEnvironment), property.Name);
        }
    }

    [Fact]
    public void The_report_and_platform_singletons_come_from_the_selection()
    {
        var report = Reports.CudaSelected();
        using var host = TestHosts.Build(report: report);

        host.Services.GetRequiredService<SelectionReport>().Should().BeSameAs(report);
        host.Services.GetRequiredService<Platform>().Should().BeSameAs(report.Platform);
    }
}
