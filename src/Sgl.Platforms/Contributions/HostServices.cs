using System.Composition.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Sgl.Platforms.Probing;

namespace Sgl.Platforms.Contributions;

/// <summary>
/// What the host offers plugin parts through MEF: a platform or a contribution may <c>[Import]</c> the
/// <see cref="SystemView"/> the probes read, the deployer's <see cref="PluginSettings"/>, and an
/// <see cref="ILoggerFactory"/>. Contract 1.1.
/// </summary>
internal sealed class HostServices(SystemView system, PluginSettings settings, ILoggerFactory loggers)
{
    public SystemView System { get; } = system;

    public PluginSettings Settings { get; } = settings;

    public ILoggerFactory Loggers { get; } = loggers;

    public static HostServices For(PlatformSettings settings, ILoggerFactory? loggers) =>
        new(new SystemView(settings.SystemRoot), settings.PluginSettings, loggers ?? NullLoggerFactory.Instance);

    /// <summary>Adds the services to a container, so parts that import them compose.</summary>
    public ContainerConfiguration AddTo(ContainerConfiguration configuration) =>
        configuration.WithExport(System).WithExport(Settings).WithExport(Loggers);
}
