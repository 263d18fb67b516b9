using System.Security.Cryptography;
using NuGet.Packaging.Core;
using NuGet.Protocol.Core.Types;
using NuGetLogger = NuGet.Common.NullLogger;

namespace Sgl.Platforms.Installer;

/// <summary>
/// Downloads one .nupkg from its source into the staging folder, reporting bytes as they arrive and
/// stopping at <see cref="PackageLimits.MaxDownloadBytes"/>; a failed write (a full disk) is reported as
/// such, not as a feed failure.
/// </summary>
internal static class PackageDownload
{
    /// <summary>Downloads <paramref name="package"/> to <paramref name="path"/>; returns the base64 SHA-512 of the file.</summary>
    public static async Task<string> RunAsync(ResolvedPackage package, string path, SourceCacheContext cache, PackageLimits limits, string home,
        IProgress<PackageDownloadProgress>? progress, CancellationToken token)
    {
        var (id, version) = (package.Identity.Id, package.Identity.Version.ToNormalizedString());
        var finder = await FeedCalls.FinderAsync(package.Source, token);
        bool found;
        await using (var file = new FileStream(path, FileMode.CreateNew, FileAccess.Write, FileShare.None, 81920, useAsync: true))
        {
            await using var counting = new CountingStream(file, bytes => progress?.Report(new PackageDownloadProgress(id, version, bytes, Completed: false)), bytes =>
            {
                if (bytes > limits.MaxDownloadBytes)
                {
                    throw PackageExpansionCheck.TooLarge(
                        $"{PackageExpansionCheck.Describe(package.Identity)} from '{package.Source.PackageSource.Name}' is larger than the {PackageExpansionCheck.Mebibytes(limits.MaxDownloadBytes)} allowed, so its download was stopped",
                        PackageLimits.MaxDownloadVariable, "a size in MiB");
                }
            }, e => HomeFolder.WriteFailed(home, e));
            found = await FeedCalls.RunAsync(package.Source, $"downloading {id} {version}",
                () => finder.CopyNupkgToStreamAsync(id, package.Identity.Version, counting, cache, NuGetLogger.Instance, token));
            progress?.Report(new PackageDownloadProgress(id, version, counting.Length, Completed: found));
        }

        if (!found)
        {
            // NuGet reports a transfer that failed after its retries as "not found"; the version was listed moments ago.
            throw new PluginInstallException(PluginInstallError.FeedFailed,
                $"Source '{package.Source.PackageSource.Name}' ({package.Source.PackageSource.Source}) failed while downloading {id} {version}: the feed listed it but the transfer did not complete. " +
                "The feed may be down or the connection was cut. Nothing was changed; retry when the feed is reachable.");
        }

        await using var read = File.OpenRead(path);
        return Convert.ToBase64String(await SHA512.HashDataAsync(read, token));
    }

    public static string FileNameOf(PackageIdentity package) =>
        $"{package.Id}.{package.Version.ToNormalizedString()}.nupkg".ToLowerInvariant();

    /// <summary>Forwards writes to the file, checks and reports the running total, and turns a failed write into <paramref name="writeFailed"/>.</summary>
    private sealed class CountingStream(Stream inner, Action<long> report, Action<long> check, Func<Exception, Exception> writeFailed) : Stream
    {
        private long _written;
        private long _lastReported;

        public override bool CanRead => false;

        public override bool CanSeek => false;

        public override bool CanWrite => true;

        public override long Length => _written;

        public override long Position
        {
            get => _written;
            set => throw new NotSupportedException();
        }

        public override void Flush()
        {
            try
            {
                inner.Flush();
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                throw writeFailed(e);
            }
        }

        public override async Task FlushAsync(CancellationToken cancellationToken)
        {
            try
            {
                await inner.FlushAsync(cancellationToken);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                throw writeFailed(e);
            }
        }

        public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();

        public override void Write(byte[] buffer, int offset, int count)
        {
            check(_written + count);
            try
            {
                inner.Write(buffer, offset, count);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                throw writeFailed(e);
            }

            Count(count);
        }

        public override async ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
        {
            check(_written + buffer.Length);
            try
            {
                await inner.WriteAsync(buffer, cancellationToken);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                throw writeFailed(e);
            }

            Count(buffer.Length);
        }

        public override Task WriteAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
            WriteAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

        private void Count(int bytes)
        {
            _written += bytes;

            // Every 64 KiB is enough for a progress bar and keeps reporting off the copy's hot path.
            if (_written - _lastReported >= 64 * 1024)
            {
                _lastReported = _written;
                report(_written);
            }
        }
    }
}
