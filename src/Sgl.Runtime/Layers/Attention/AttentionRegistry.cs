using Sgl.Platforms;
using Sgl.Platforms.Devices;
using Sgl.Runtime.ServerArgs;

namespace Sgl.Runtime.Layers.Attention;

/// <summary>The attention backends a platform offers (<see cref="Platform.GetAttentionBackends"/>); <c>--attention-backend</c> picks one.</summary>
internal static class AttentionRegistry
{
    /// <summary>Checks a requested name early, before any memory is allocated.</summary>
    /// <exception cref="InvalidServerArgsException">The platform does not offer the requested backend.</exception>
    public static void Validate(Platform platform, string? requested)
    {
        var backends = platform.GetAttentionBackends();
        if (requested is not null && !backends.ContainsKey(requested))
        {
            throw Unknown(platform, requested, backends);
        }

        if (platform.DefaultAttentionBackend is { } fallback && !backends.ContainsKey(fallback))
        {
            throw new InvalidOperationException(
                $"Platform '{platform.DeviceName}' names '{fallback}' as its default attention backend but offers only {Names(backends)}; the platform must default to one it offers.");
        }
    }

    /// <summary>Creates the requested backend (or the platform's default) on <paramref name="device"/>; null when the platform offers none.</summary>
    /// <exception cref="InvalidServerArgsException">The requested backend is not offered.</exception>
    public static IAttentionBackend? Create(Platform platform, string? requested, ComputeDevice device)
    {
        var backends = platform.GetAttentionBackends();
        var name = requested ?? platform.DefaultAttentionBackend;
        if (name is null)
        {
            return null;
        }

        return backends.TryGetValue(name, out var factory)
            ? factory(new AttentionBackendContext(device)) ?? throw new InvalidOperationException($"Platform '{platform.DeviceName}' built no attention backend for '{name}'.")
            : throw Unknown(platform, name, backends);
    }

    private static InvalidServerArgsException Unknown(Platform platform, string requested, IReadOnlyDictionary<string, Func<AttentionBackendContext, IAttentionBackend>> backends) =>
        new(backends.Count == 0
            ? $"Unknown attention backend '{requested}'. Platform '{platform.DeviceName}' offers no attention backends; leave --attention-backend unset."
            : $"Unknown attention backend '{requested}'. Platform '{platform.DeviceName}' offers: {Names(backends)}.");

    private static string Names(IReadOnlyDictionary<string, Func<AttentionBackendContext, IAttentionBackend>> backends) =>
        string.Join(", ", backends.Keys.Order(StringComparer.Ordinal));
}
