namespace Sgl.Platforms.Contributions;

/// <summary>Which extension point a contribution adds to.</summary>
public enum ContributionKind
{
    /// <summary>An <see cref="AttentionBackendContribution"/>.</summary>
    AttentionBackend,

    /// <summary>A <see cref="DeviceOperationsContribution"/>.</summary>
    DeviceOperations,

    /// <summary>A <see cref="CommunicatorContribution"/>.</summary>
    Communicator,
}
