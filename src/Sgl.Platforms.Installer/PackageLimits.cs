using System.Globalization;

namespace Sgl.Platforms.Installer;

/// <summary>
/// What one package may download and expand to. Every start hashes what an install extracted, so these keep
/// a package from making every start slow (or filling the disk) with a small download that expands hugely.
/// </summary>
public sealed record PackageLimits
{
    /// <summary>The environment variable overriding <see cref="MaxDownloadBytes"/>, in MiB.</summary>
    public const string MaxDownloadVariable = "SGL_PACKAGE_MAX_DOWNLOAD_MB";

    /// <summary>The environment variable overriding <see cref="MaxExpandedBytes"/>, in MiB.</summary>
    public const string MaxExpandedVariable = "SGL_PACKAGE_MAX_EXPANDED_MB";

    /// <summary>The environment variable overriding <see cref="MaxEntries"/>.</summary>
    public const string MaxEntriesVariable = "SGL_PACKAGE_MAX_ENTRIES";

    /// <summary>The environment variable overriding <see cref="MaxCompressionRatio"/>.</summary>
    public const string MaxRatioVariable = "SGL_PACKAGE_MAX_RATIO";

    /// <summary>Entries smaller than this are not held to <see cref="MaxCompressionRatio"/>: they cannot expand to much.</summary>
    public const long RatioFloorBytes = 1 << 20;

    /// <summary>The most bytes one .nupkg may have (default 512 MiB).</summary>
    public long MaxDownloadBytes { get; init; } = 512L << 20;

    /// <summary>The most bytes one package's entries may expand to, and the plugin folder may hold (default 1 GiB).</summary>
    public long MaxExpandedBytes { get; init; } = 1L << 30;

    /// <summary>The most entries one package may have (default 10,000).</summary>
    public int MaxEntries { get; init; } = 10_000;

    /// <summary>The most an entry of 1 MiB or more may expand relative to its compressed size (default 100).</summary>
    public double MaxCompressionRatio { get; init; } = 100;

    /// <summary>
    /// The defaults, each replaced by its environment variable when set: <c>SGL_PACKAGE_MAX_DOWNLOAD_MB</c>,
    /// <c>SGL_PACKAGE_MAX_EXPANDED_MB</c>, <c>SGL_PACKAGE_MAX_ENTRIES</c>, <c>SGL_PACKAGE_MAX_RATIO</c>.
    /// </summary>
    /// <param name="environment">Reads a variable; defaults to the process environment.</param>
    /// <exception cref="PlatformConfigurationException">A variable is set to something that is not a positive number.</exception>
    public static PackageLimits FromEnvironment(Func<string, string?>? environment = null)
    {
        environment ??= Environment.GetEnvironmentVariable;
        var defaults = new PackageLimits();
        return new PackageLimits
        {
            MaxDownloadBytes = Parse(environment, MaxDownloadVariable, "a whole number of MiB", defaults.MaxDownloadBytes >> 20) << 20,
            MaxExpandedBytes = Parse(environment, MaxExpandedVariable, "a whole number of MiB", defaults.MaxExpandedBytes >> 20) << 20,
            MaxEntries = (int)Parse(environment, MaxEntriesVariable, "a whole number of entries", defaults.MaxEntries, max: int.MaxValue),
            MaxCompressionRatio = Parse(environment, MaxRatioVariable, "a whole number (how many times an entry may expand)", (long)defaults.MaxCompressionRatio),
        };
    }

    private static long Parse(Func<string, string?> environment, string variable, string what, long fallback, long max = 1L << 40)
    {
        var value = environment(variable);
        if (string.IsNullOrWhiteSpace(value))
        {
            return fallback;
        }

        if (!long.TryParse(value.Trim(), NumberStyles.None, CultureInfo.InvariantCulture, out var parsed) || parsed <= 0 || parsed > max)
        {
            throw new PlatformConfigurationException(
                $"{variable} is '{value}', which is not {what} between 1 and {max.ToString(CultureInfo.InvariantCulture)}. Set it to, for example, {fallback.ToString(CultureInfo.InvariantCulture)} (the default), or unset it.");
        }

        return parsed;
    }
}
