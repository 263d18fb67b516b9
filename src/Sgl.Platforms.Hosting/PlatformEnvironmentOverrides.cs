using Microsoft.Extensions.Options;

namespace Sgl.Platforms.Hosting;

/// <summary>
/// Applies set <c>SGL_*</c> environment variables after configuration and code have configured the
/// options, so a launcher's decision handed to a worker process always wins.
/// </summary>
internal sealed class PlatformEnvironmentOverrides : IPostConfigureOptions<PlatformOptions>
{
    private readonly Func<string, string?> _environment;

    public PlatformEnvironmentOverrides()
        : this(Environment.GetEnvironmentVariable)
    {
    }

    internal PlatformEnvironmentOverrides(Func<string, string?> environment) => _environment = environment;

    public void PostConfigure(string? name, PlatformOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);

        // The options instance is owned by the options factory, so it is updated in place.
        options.ApplyEnvironmentOverrides(_environment);
    }
}
