using System.Net;
using NuGet.Protocol.Core.Types;

namespace Sgl.Platforms.Installer;

/// <summary>Turns what NuGet.Protocol throws when a feed fails into one error that names the feed and the fix.</summary>
internal static class FeedCalls
{
    /// <summary>The source's package-by-id resource; loading it reads the service index, the first request a feed sees.</summary>
    public static Task<FindPackageByIdResource> FinderAsync(SourceRepository source, CancellationToken token) =>
        RunAsync(source, "reading its service index", () => source.GetResourceAsync<FindPackageByIdResource>(token));

    public static async Task<T> RunAsync<T>(SourceRepository source, string what, Func<Task<T>> call)
    {
        try
        {
            return await call();
        }
        catch (Exception e) when (e is not PluginInstallException && Chain(e).OfType<PluginInstallException>().FirstOrDefault() is { } ours)
        {
            // Our own stop (a download beyond its limit, a full disk), wrapped by NuGet on the way out.
            System.Runtime.ExceptionServices.ExceptionDispatchInfo.Throw(ours);
            throw;
        }
        catch (Exception e) when (e is FatalProtocolException or HttpRequestException or IOException or TimeoutException or WebException
            || (e is TaskCanceledException && e.InnerException is TimeoutException))
        {
            var detail = string.Join(" ", Chain(e).Select(x => x.Message).Distinct());
            var unauthorized = detail.Contains("401", StringComparison.Ordinal) || detail.Contains("Unauthorized", StringComparison.OrdinalIgnoreCase);
            throw new PluginInstallException(PluginInstallError.FeedFailed,
                $"Source '{source.PackageSource.Name}' ({source.PackageSource.Source}) failed while {what}: {detail} " +
                (unauthorized
                    ? "The feed refused the credentials: set them for this source under <packageSourceCredentials> in NuGet.config. "
                    : "The feed may be down or the connection was cut. ") +
                "Nothing was changed; retry when the feed is reachable.", e);
        }
    }

    private static IEnumerable<Exception> Chain(Exception e)
    {
        for (var current = e; current is not null; current = current.InnerException)
        {
            yield return current;
        }
    }
}
