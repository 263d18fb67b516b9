using System.Globalization;
using System.IO.Compression;
using NuGet.Packaging.Core;

namespace Sgl.Platforms.Installer;

/// <summary>
/// Holds a downloaded package to <see cref="PackageLimits"/> before anything is extracted, from its zip
/// directory: entry count, total expanded size, and how far each large entry expands. Extraction then
/// counts the bytes it really writes (<see cref="ExtractionBudget"/>), since a zip's directory can lie.
/// </summary>
internal static class PackageExpansionCheck
{
    /// <exception cref="PluginInstallException">The package is beyond a limit.</exception>
    public static void Run(string nupkg, PackageIdentity package, PackageLimits limits)
    {
        using var zip = ZipFile.OpenRead(nupkg);
        var name = Describe(package);
        if (zip.Entries.Count > limits.MaxEntries)
        {
            throw TooLarge($"{name} has {zip.Entries.Count:N0} entries, more than the {limits.MaxEntries:N0} allowed", PackageLimits.MaxEntriesVariable, "a number of entries");
        }

        long expanded = 0;
        foreach (var entry in zip.Entries)
        {
            expanded += entry.Length;
            var ratio = entry.Length / (double)Math.Max(entry.CompressedLength, 1);
            if (entry.Length >= PackageLimits.RatioFloorBytes && ratio > limits.MaxCompressionRatio)
            {
                throw TooLarge($"{name}'s entry '{entry.FullName}' expands {ratio:0}-fold ({Mebibytes(entry.Length)} from {Mebibytes(entry.CompressedLength)}), more than the {limits.MaxCompressionRatio:0}-fold allowed, as a zip bomb would",
                    PackageLimits.MaxRatioVariable, "a ratio");
            }
        }

        if (expanded > limits.MaxExpandedBytes)
        {
            throw TooLarge($"{name} expands to {Mebibytes(expanded)}, more than the {Mebibytes(limits.MaxExpandedBytes)} allowed; every start would hash what it installs", PackageLimits.MaxExpandedVariable, "a size in MiB");
        }
    }

    public static string Describe(PackageIdentity package) => $"{package.Id} {package.Version.ToNormalizedString()}";

    public static string Mebibytes(long bytes) => string.Create(CultureInfo.InvariantCulture, $"{bytes / 1048576.0:0.##} MiB");

    public static PluginInstallException TooLarge(string what, string variable, string unit) =>
        new(PluginInstallError.PackageTooLarge,
            $"{what}. Nothing was installed. If you trust the package, raise the limit with {variable}=<{unit}> (or PluginInstallerOptions.Limits).");
}
