using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Sgl.Platforms.Selection;

namespace Sgl.Platforms.Hosting.Tests;

/// <summary>Builds real Generic Hosts with in-memory configuration.</summary>
internal static class TestHosts
{
    /// <param name="configuration">Keys under <c>Sgl:Platforms</c> (without the prefix) and their values.</param>
    /// <param name="report">When set, the host sees this report instead of resolving the process's platform.</param>
    /// <param name="log">Receives the host's log.</param>
    /// <param name="configure">The delegate passed to AddSglPlatforms.</param>
    public static IHost Build(
        IReadOnlyDictionary<string, string?>? configuration = null,
        SelectionReport? report = null,
        LogRecorder? log = null,
        Action<PlatformOptions>? configure = null)
    {
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
        builder.Configuration.AddInMemoryCollection(
            (configuration ?? new Dictionary<string, string?>()).Select(p => KeyValuePair.Create(PlatformOptions.SectionName + ":" + p.Key, p.Value)));
        if (log is not null)
        {
            builder.Logging.AddProvider(log);
        }

        builder.Services.AddSglPlatforms(configure);
        if (report is not null)
        {
            // Selection reads the host's options as real resolution does, then answers with the given report.
            builder.Services.RemoveAll<PlatformSelection>();
            builder.Services.AddSingleton(sp => new PlatformSelection(
                sp.GetRequiredService<IOptions<PlatformOptions>>(),
                options =>
                {
                    _ = options();
                    return report;
                }));
        }

        return builder.Build();
    }
}
