using NuGet.Packaging.Core;

namespace Sgl.Platforms.Installer;

/// <summary>
/// Counts the bytes an install really writes into a plugin folder, whatever the zip's directory claims,
/// and stops at <see cref="PackageLimits.MaxExpandedBytes"/>.
/// </summary>
internal sealed class ExtractionBudget(PackageLimits limits)
{
    private long _written;

    /// <summary>Copies one entry, refusing it as soon as it passes its declared size or the folder passes the limit.</summary>
    public async Task CopyAsync(Stream source, Stream destination, long declaredLength, PackageIdentity package, string entry, CancellationToken token)
    {
        var buffer = new byte[81920];
        long copied = 0;
        int read;
        while ((read = await source.ReadAsync(buffer, token)) > 0)
        {
            copied += read;
            _written += read;
            if (copied > declaredLength)
            {
                throw new PluginInstallException(PluginInstallError.UnsafePackage,
                    $"{PackageExpansionCheck.Describe(package)}'s entry '{entry}' holds more than the {declaredLength:N0} bytes its zip directory declares. The package is malformed or malicious; nothing was installed.");
            }

            if (_written > limits.MaxExpandedBytes)
            {
                throw PackageExpansionCheck.TooLarge(
                    $"{PackageExpansionCheck.Describe(package)} and its dependencies expand to more than the {PackageExpansionCheck.Mebibytes(limits.MaxExpandedBytes)} allowed; every start would hash what they install",
                    PackageLimits.MaxExpandedVariable, "a size in MiB");
            }

            await destination.WriteAsync(buffer.AsMemory(0, read), token);
        }
    }
}
