using Sgl.Platforms;
using Sgl.Platforms.Contributions;
using Sgl.Platforms.Devices;
using Sgl.Runtime.ServerArgs;

namespace Sgl.Runtime.Layers.Attention;

/// <summary>
/// The attention backends a platform offers (<see cref="Platform.GetAttentionBackends"/>) and those contributed to it
/// (<see cref="PlatformContributions"/>). <c>--attention-backend</c> picks one by name; otherwise the most preferred
/// contribution (priority above 0) is the default, then the platform's own default.
/// </summary>
internal static class AttentionRegistry
{
    /// <summary>Checks a requested name early, before any memory is allocated.</summary>
    /// <exception cref="InvalidServerArgsException">Neither the platform nor a contribution offers the requested backend.</exception>
    public static void Validate(Platform platform, string? requested)
    {
        var backends = platform.GetAttentionBackends();
        var contributed = PlatformContributions.Of(platform).AttentionBackends;
        if (requested is not null && !backends.ContainsKey(requested) && contributed.All(c => c.Name != requested))
        {
            throw Unknown(platform, requested);
        }

        if (platform.DefaultAttentionBackend is { } fallback && !backends.ContainsKey(fallback))
        {
            throw new InvalidOperationException(
                $"Platform '{platform.DeviceName}' names '{fallback}' as its default attention backend but offers only {string.Join(", ", backends.Keys.Order(StringComparer.Ordinal))}; the platform must default to one it offers.");
        }
    }

    /// <summary>
    /// Creates the backend on <paramref name="device"/>; null when there is none. Precedence: the backend the user
    /// <paramref name="requested"/> by name (its failure is the launch's); else the most preferred contribution
    /// (priority above 0); else the platform's pick (<paramref name="platformChoice"/>, from its server-args defaults,
    /// or its default). A preferred contribution that fails is left out (<paramref name="leftOut"/> says why).
    /// </summary>
    /// <exception cref="InvalidServerArgsException">The requested backend is not offered.</exception>
    public static IAttentionBackend? Create(Platform platform, string? requested, string? platformChoice, ComputeDevice device, out string? leftOut)
    {
        leftOut = null;
        var context = new AttentionBackendContext(device);
        var contributed = PlatformContributions.Of(platform).AttentionBackends;
        if (requested is not null && contributed.FirstOrDefault(c => c.Name == requested) is { } asked)
        {
            // Asked for by name: its failure is the launch's, not a silent fallback.
            return asked.Part.CreateBackend(context) ?? throw new InvalidOperationException($"Attention backend contribution '{asked.Name}' ({asked.Source}) built no backend.");
        }

        if (requested is null && contributed.FirstOrDefault(c => c.IsPreferred) is { } preferred)
        {
            try
            {
                return preferred.Part.CreateBackend(context) ?? throw new InvalidOperationException("it built no backend");
            }
            catch (Exception e)
            {
                leftOut = $"attention backend '{preferred.Name}' ({preferred.Source}) was left out: {e.Message}";
            }
        }

        var backends = platform.GetAttentionBackends();
        var name = requested ?? platformChoice ?? platform.DefaultAttentionBackend;
        if (name is null)
        {
            return null;
        }

        return backends.TryGetValue(name, out var factory)
            ? factory(context) ?? throw new InvalidOperationException($"Platform '{platform.DeviceName}' built no attention backend for '{name}'.")
            : throw Unknown(platform, name);
    }

    private static InvalidServerArgsException Unknown(Platform platform, string requested)
    {
        var names = platform.GetAttentionBackends().Keys
            .Concat(PlatformContributions.Of(platform).AttentionBackends.Select(c => c.Name))
            .Order(StringComparer.Ordinal).ToList();
        return new(names.Count == 0
            ? $"Unknown attention backend '{requested}'. Platform '{platform.DeviceName}' offers no attention backends; leave --attention-backend unset."
            : $"Unknown attention backend '{requested}'. Platform '{platform.DeviceName}' offers: {string.Join(", ", names)}.");
    }
}
