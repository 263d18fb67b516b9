using System.Net;
using System.Text;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using NuGet.Packaging;

namespace Sgl.Platforms.Installer.Tests.Support;

/// <summary>
/// A NuGet V3 feed over HTTP on 127.0.0.1, served by Kestrel from a folder of .nupkg files: the service
/// index and the flat container (version lists, .nuspec, .nupkg), behind basic authentication.
/// </summary>
internal sealed class HttpFeedServer : IAsyncDisposable
{
    public const string User = "feed-user";
    public const string Password = "feed-p@ss";

    private readonly WebApplication _app;
    private readonly string _folder;

    private HttpFeedServer(WebApplication app, string folder)
    {
        _app = app;
        _folder = folder;
    }

    /// <summary>The service index URL (…/v3/index.json).</summary>
    public string IndexUrl { get; private set; } = "";

    /// <summary>
    /// When set, .nupkg responses after this many complete ones send half the bytes and then drop the
    /// connection (NuGet reads a package once for its dependencies over a flat container, then downloads it).
    /// </summary>
    public int? AbortDownloadsAfter { get; set; }

    private int _nupkgResponses;

    public static async Task<HttpFeedServer> StartAsync(string folder)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseKestrel(o => o.Listen(IPAddress.Loopback, 0));
        builder.Logging.ClearProviders();
        var app = builder.Build();
        var server = new HttpFeedServer(app, folder);
        app.Use(server.Authenticate);
        app.MapGet("/v3/index.json", server.Index);
        app.MapGet("/v3/flat/{id}/index.json", server.Versions);
        app.MapGet("/v3/flat/{id}/{version}/{file}", server.Content);
        await app.StartAsync();
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.Single();
        server.IndexUrl = address.TrimEnd('/') + "/v3/index.json";
        return server;
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }

    private async Task Authenticate(HttpContext context, RequestDelegate next)
    {
        var expected = "Basic " + Convert.ToBase64String(Encoding.UTF8.GetBytes($"{User}:{Password}"));
        if (context.Request.Headers.Authorization.ToString() != expected)
        {
            context.Response.StatusCode = StatusCodes.Status401Unauthorized;
            context.Response.Headers.WWWAuthenticate = "Basic realm=\"test feed\"";
            return;
        }

        await next(context);
    }

    private Task Index(HttpContext context)
    {
        var baseUrl = IndexUrl[..^"index.json".Length];
        var index = new JsonObject
        {
            ["version"] = "3.0.0",
            ["resources"] = new JsonArray(new JsonObject { ["@id"] = baseUrl + "flat/", ["@type"] = "PackageBaseAddress/3.0.0" }),
        };
        return WriteJson(context, index);
    }

    private Task Versions(HttpContext context, string id)
    {
        var versions = Packages().Where(p => p.Id.Equals(id, StringComparison.OrdinalIgnoreCase)).Select(p => (JsonNode?)p.Version).ToArray();
        if (versions.Length == 0)
        {
            context.Response.StatusCode = StatusCodes.Status404NotFound;
            return Task.CompletedTask;
        }

        return WriteJson(context, new JsonObject { ["versions"] = new JsonArray(versions) });
    }

    private async Task Content(HttpContext context, string id, string version, string file)
    {
        var package = Packages().FirstOrDefault(p => p.Id.Equals(id, StringComparison.OrdinalIgnoreCase) && string.Equals(p.Version, version, StringComparison.OrdinalIgnoreCase));
        if (package.Path is null)
        {
            context.Response.StatusCode = StatusCodes.Status404NotFound;
            return;
        }

        if (file.EndsWith(".nuspec", StringComparison.Ordinal))
        {
            using var reader = new PackageArchiveReader(package.Path);
            await using var nuspec = reader.GetNuspec();
            context.Response.ContentType = "application/xml";
            await nuspec.CopyToAsync(context.Response.Body);
            return;
        }

        var bytes = await File.ReadAllBytesAsync(package.Path);
        context.Response.ContentType = "application/octet-stream";
        context.Response.ContentLength = bytes.Length;
        if (AbortDownloadsAfter is { } allowed && Interlocked.Increment(ref _nupkgResponses) > allowed)
        {
            await context.Response.Body.WriteAsync(bytes.AsMemory(0, bytes.Length / 2));
            await context.Response.Body.FlushAsync();
            context.Abort();
            return;
        }

        await context.Response.Body.WriteAsync(bytes);
    }

    private IEnumerable<(string Id, string Version, string Path)> Packages()
    {
        foreach (var path in Directory.EnumerateFiles(_folder, "*.nupkg"))
        {
            using var reader = new PackageArchiveReader(path);
            var identity = reader.GetIdentity();
            yield return (identity.Id, identity.Version.ToNormalizedString().ToLowerInvariant(), path);
        }
    }

    private static Task WriteJson(HttpContext context, JsonNode node)
    {
        context.Response.ContentType = "application/json";
        return context.Response.WriteAsync(node.ToJsonString());
    }
}
