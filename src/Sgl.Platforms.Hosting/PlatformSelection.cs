using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Sgl.Platforms.Selection;

namespace Sgl.Platforms.Hosting;

/// <summary>
/// The host's view of the process-wide selection: asks <see cref="CurrentPlatform"/> with the host's
/// options and logger, and remembers whether those options took part or an earlier resolution stood.
/// </summary>
internal sealed class PlatformSelection
{
    /// <summary>The logger category the resolver's own selection line is written under.</summary>
    internal const string ResolverLoggerCategory = "Sgl.Platforms";

    private readonly IOptions<PlatformOptions> _options;
    private readonly Func<Func<PlatformOptions>, SelectionReport> _resolve;
    private int _hostOptionsUsed;

    /// <summary>Creates the selection the host uses.</summary>
    /// <param name="options">The host's options.</param>
    /// <param name="loggerFactory">Where the resolver writes its selection line; without one it writes to standard error.</param>
    public PlatformSelection(IOptions<PlatformOptions> options, ILoggerFactory? loggerFactory)
        : this(options, ResolveProcessWide(loggerFactory))
    {
    }

    /// <summary>Creates a selection over any resolution, so tests can supply a report.</summary>
    internal PlatformSelection(IOptions<PlatformOptions> options, Func<Func<PlatformOptions>, SelectionReport> resolve)
    {
        _options = options;
        _resolve = resolve;
    }

    /// <summary>The process's selection report, resolving now if nothing in the process has yet.</summary>
    /// <exception cref="OptionsValidationException">The host's options are invalid and selection had not run yet.</exception>
    public SelectionReport Report => _resolve(ReadHostOptions);

    /// <summary>True when this host's options were the ones selection ran with.</summary>
    public bool HostOptionsUsed => Volatile.Read(ref _hostOptionsUsed) != 0;

    private PlatformOptions ReadHostOptions()
    {
        var options = _options.Value;
        Volatile.Write(ref _hostOptionsUsed, 1);
        return options;
    }

    private static Func<Func<PlatformOptions>, SelectionReport> ResolveProcessWide(ILoggerFactory? loggerFactory)
    {
        var logger = loggerFactory?.CreateLogger(ResolverLoggerCategory);
        return options => CurrentPlatform.Resolve(options, logger);
    }
}
