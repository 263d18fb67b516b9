using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Sgl.Platforms.Selection;

namespace Sgl.Platforms;

/// <summary>Discovers, validates, probes and ranks platform candidates, and selects one.</summary>
public sealed class PlatformResolver
{
    private readonly PlatformOptions _options;
    private readonly ILogger _logger;

    /// <summary>Creates a resolver.</summary>
    /// <param name="options">The selection settings.</param>
    /// <param name="logger">Receives the one-line selection summary.</param>
    public PlatformResolver(PlatformOptions options, ILogger? logger = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        _options = options;
        _logger = logger ?? NullLogger.Instance;
    }

    /// <summary>Runs selection. Never throws for plugin failures: they are recorded in the report.</summary>
    public SelectionReport Resolve() => throw new NotImplementedException();
}
