using NuGet.Configuration;
using NuGet.Packaging.Signing;
using NuGet.Protocol;
using NuGet.Protocol.Core.Types;
using NuGetLogger = NuGet.Common.NullLogger;

namespace Sgl.Platforms.Installer;

/// <summary>
/// What NuGet.config says about feeds and trust: the enabled sources (with their credentials), package
/// source mapping, and the signature policy (<c>signatureValidationMode</c>, <c>trustedSigners</c>).
/// Read from the working directory upward plus the user's NuGet.config, as <c>dotnet restore</c> does.
/// </summary>
internal sealed class FeedConfiguration
{
    private readonly List<SourceRepository> _sources;
    private readonly PackageSourceMapping _mapping;
    private readonly string _workingDirectory;

    private FeedConfiguration(ISettings settings, string workingDirectory)
    {
        _workingDirectory = workingDirectory;
        _sources = new PackageSourceProvider(settings).LoadPackageSources()
            .Where(s => s.IsEnabled)
            .Select(s => Repository.Factory.GetCoreV3(s))
            .ToList();
        _mapping = PackageSourceMapping.GetPackageSourceMapping(settings);
        Policy = ClientPolicyContext.GetClientPolicy(settings, NuGetLogger.Instance);
    }

    /// <summary>The signature policy and trusted signers.</summary>
    public ClientPolicyContext Policy { get; }

    public static FeedConfiguration Load(string workingDirectory)
    {
        ISettings settings;
        try
        {
            settings = Settings.LoadDefaultSettings(workingDirectory);
        }
        catch (NuGetConfigurationException e)
        {
            throw new PluginInstallException(PluginInstallError.SourceNotAllowed,
                $"NuGet.config could not be read: {e.Message} Fix the file; plugin sources, credentials and trust settings come from it.", e);
        }

        return new FeedConfiguration(settings, workingDirectory);
    }

    /// <summary>
    /// The sources that may serve <paramref name="packageId"/>: every enabled source, narrowed by
    /// packageSourceMapping and by <paramref name="requested"/> (a source's name, URL or folder).
    /// </summary>
    /// <exception cref="PluginInstallException">No configured source may serve the package.</exception>
    public IReadOnlyList<SourceRepository> SourcesFor(string packageId, string? requested)
    {
        if (_sources.Count == 0)
        {
            throw new PluginInstallException(PluginInstallError.SourceNotAllowed,
                $"NuGet.config (from '{_workingDirectory}' upward, and the user's) enables no package source. Add one with 'dotnet nuget add source <url-or-folder> --name <name>'.");
        }

        var candidates = _sources;
        if (_mapping.IsEnabled)
        {
            var mapped = _mapping.GetConfiguredPackageSources(packageId);
            candidates = _sources.Where(s => mapped.Contains(s.PackageSource.Name, StringComparer.OrdinalIgnoreCase)).ToList();
            if (candidates.Count == 0)
            {
                throw new PluginInstallException(PluginInstallError.SourceNotAllowed,
                    $"packageSourceMapping in NuGet.config maps no enabled source to '{packageId}'. Add a <package pattern=\"{packageId}\" /> under the source that should serve it.");
            }
        }

        if (requested is not null)
        {
            var chosen = candidates.Where(s => Matches(s.PackageSource, requested)).ToList();
            if (chosen.Count == 0)
            {
                var configured = _sources.Any(s => Matches(s.PackageSource, requested));
                throw new PluginInstallException(PluginInstallError.SourceNotAllowed, configured
                    ? $"Source '{requested}' is in NuGet.config, but packageSourceMapping does not allow it for '{packageId}' (allowed: {Names(candidates)}). Add a <package pattern=\"{packageId}\" /> under it, or pick an allowed source."
                    : $"Source '{requested}' is not a package source in NuGet.config (configured: {Names(_sources)}). Plugins are code that runs at startup, so they install only from configured sources: add it with 'dotnet nuget add source {requested} --name <name>'.");
            }

            candidates = chosen;
        }

        foreach (var source in candidates)
        {
            var package = source.PackageSource;
            if (package.IsHttp && !package.IsHttps && !package.AllowInsecureConnections)
            {
                throw new PluginInstallException(PluginInstallError.SourceNotAllowed,
                    $"Source '{package.Name}' ({package.Source}) uses plain HTTP, which lets anyone on the network swap the plugin's code. Use HTTPS, or set allowInsecureConnections=\"true\" on that source in NuGet.config if the network is trusted.");
            }
        }

        return candidates;
    }

    private bool Matches(PackageSource source, string requested)
    {
        if (source.Name.Equals(requested, StringComparison.OrdinalIgnoreCase))
        {
            return true;
        }

        if (source.IsHttp)
        {
            return source.Source.TrimEnd('/').Equals(requested.TrimEnd('/'), StringComparison.OrdinalIgnoreCase);
        }

        if (requested.Contains("://", StringComparison.Ordinal))
        {
            return false;
        }

        return Path.TrimEndingDirectorySeparator(Path.GetFullPath(source.Source))
            .Equals(Path.TrimEndingDirectorySeparator(Path.GetFullPath(requested, _workingDirectory)), StringComparison.Ordinal);
    }

    private static string Names(IEnumerable<SourceRepository> sources) => string.Join(", ", sources.Select(s => $"'{s.PackageSource.Name}'"));
}
