using Sgl.Platforms.Devices;

namespace Sgl.Platforms.Contributions;

/// <summary>
/// An attention backend for a platform the package does not own, exported with
/// <c>[Export(typeof(AttentionBackendContribution))]</c> and <see cref="PlatformContributionAttribute"/>. It is offered
/// to <c>--attention-backend</c> under the contribution's name, beside the platform's own backends.
/// </summary>
/// <remarks>Contract 1.1. A part may <c>[Import]</c> what the host offers: <see cref="PluginSettings"/>, the <see cref="Probing.SystemView"/>, a logger factory.</remarks>
public abstract class AttentionBackendContribution
{
    /// <summary>Creates the backend on an opened device of the platform it extends.</summary>
    /// <param name="context">The device the backend runs on.</param>
    /// <returns>The backend; its <see cref="IAttentionBackend.Name"/> should be the contribution's name.</returns>
    public abstract IAttentionBackend CreateBackend(AttentionBackendContext context);
}
