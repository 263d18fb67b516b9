using Sgl.Platforms;
using Sgl.Platforms.ExtensionPoints;
using Sgl.Runtime.ServerArgs;

namespace Sgl.Runtime.Layers.Attention;

/// <summary>The attention backends the current platform offers (<see cref="Platform.GetAttentionBackends"/>); <c>--attention-backend</c> picks one.</summary>
internal static class AttentionRegistry
{
    /// <summary>Checks a requested name early, before any memory is allocated; a platform with no backends is reported later, after the parts it does have.</summary>
    /// <exception cref="InvalidServerArgsException">The platform has backends, but not the one requested.</exception>
    public static void Validate(Platform platform, string? requested)
    {
        var backends = platform.GetAttentionBackends();
        if (requested is not null && backends.Count > 0 && !backends.ContainsKey(requested))
        {
            throw Unknown(platform, requested, backends);
        }
    }

    /// <summary>Creates the requested backend (or the platform's first, by name, when none was requested).</summary>
    /// <exception cref="PlatformCapabilityException">The platform offers no attention backend.</exception>
    /// <exception cref="InvalidServerArgsException">The requested backend is not offered.</exception>
    public static IAttentionBackend Create(Platform platform, string? requested, AttentionBackendContext context)
    {
        var backends = platform.GetAttentionBackends();
        if (backends.Count == 0)
        {
            throw new PlatformCapabilityException(
                $"Platform '{platform.DeviceName}' offers no attention backend, so the model cannot run on it: this build has no attention kernels for it. The device, the KV pool and the plan reported with this error were set up for real.");
        }

        var name = requested ?? backends.Keys.Order(StringComparer.Ordinal).First();
        return backends.TryGetValue(name, out var factory) ? factory(context) : throw Unknown(platform, name, backends);
    }

    private static InvalidServerArgsException Unknown(Platform platform, string requested, IReadOnlyDictionary<string, Func<AttentionBackendContext, IAttentionBackend>> backends) =>
        new($"Unknown attention backend '{requested}'. Platform '{platform.DeviceName}' offers: {string.Join(", ", backends.Keys.Order(StringComparer.Ordinal))}.");
}
