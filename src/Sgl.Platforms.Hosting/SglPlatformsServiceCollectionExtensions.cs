using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Sgl.Platforms;
using Sgl.Platforms.Hosting;
using Sgl.Platforms.Selection;

// AddXxx extensions live in the DI namespace by convention, so they are found without a using.
namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Registers Sgl platform selection with a Generic Host or any <see cref="IServiceCollection"/>.</summary>
public static class SglPlatformsServiceCollectionExtensions
{
    /// <summary>The name under which the platform health check is registered.</summary>
    public const string HealthCheckName = "sgl-platform";

    /// <summary>
    /// Adds Sgl platform selection: <see cref="PlatformOptions"/> bound from the <c>Sgl:Platforms</c>
    /// configuration section (set <c>SGL_*</c> environment variables win) and validated at start, the
    /// process's <see cref="SelectionReport"/> and current <see cref="Platform"/> as singletons, a startup
    /// service that selects the platform before other hosted services start and logs the selection, and
    /// the <c>sgl-platform</c> health check.
    /// </summary>
    /// <remarks>
    /// <para>Selection is process-wide and happens once: the singletons are the same objects
    /// <see cref="CurrentPlatform"/> returns. If something in the process selected the platform before the
    /// host did, that selection stands and this host's settings take no part (the startup service logs this).</para>
    /// <para>Safe to call more than once: the services are registered once, and each call adds its
    /// <paramref name="configure"/> delegate.</para>
    /// </remarks>
    /// <param name="services">The service collection.</param>
    /// <param name="configure">Changes the options after configuration binding; set environment variables still win.</param>
    /// <returns><paramref name="services"/>, for chaining.</returns>
    public static IServiceCollection AddSglPlatforms(this IServiceCollection services, Action<PlatformOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(services);

        if (!services.Any(d => d.ServiceType == typeof(PlatformSelection)))
        {
            services.AddOptions<PlatformOptions>()
                .BindConfiguration(PlatformOptions.SectionName)
                .ValidateOnStart();
            services.TryAddEnumerable(ServiceDescriptor.Singleton<IPostConfigureOptions<PlatformOptions>, PlatformEnvironmentOverrides>());
            services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<PlatformOptions>, PlatformOptionsValidator>());

            services.TryAddSingleton(sp => new PlatformSelection(
                sp.GetRequiredService<IOptions<PlatformOptions>>(),
                sp.GetService<ILoggerFactory>()));
            services.TryAddSingleton(sp => sp.GetRequiredService<PlatformSelection>().Report);
            services.TryAddSingleton(sp => sp.GetRequiredService<PlatformSelection>().Report.GetPlatformOrThrow());
            services.TryAddEnumerable(ServiceDescriptor.Singleton<IHostedService, PlatformSelectionStartupService>());

            // AddCheck appends a registration on every call and duplicate names fail the health check
            // service, so it sits behind the same first-call test as the rest.
            services.AddHealthChecks().AddCheck<PlatformHealthCheck>(HealthCheckName, tags: ["sgl", "platform"]);
        }

        if (configure is not null)
        {
            services.Configure(configure);
        }

        return services;
    }
}
