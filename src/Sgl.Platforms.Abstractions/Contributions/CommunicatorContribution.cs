using Sgl.Platforms.Devices;
using Sgl.Platforms.Serving;

namespace Sgl.Platforms.Contributions;

/// <summary>
/// A device communicator (a vendor's faster all-reduce) for a platform the package does not own, exported with
/// <c>[Export(typeof(CommunicatorContribution))]</c> and <see cref="PlatformContributionAttribute"/>. It is used where the
/// platform has none, or, with a priority above 0, instead of the platform's own.
/// </summary>
/// <remarks>Contract 1.1.</remarks>
public abstract class CommunicatorContribution
{
    /// <summary>Creates one rank's communicator; null when it cannot serve this group.</summary>
    /// <param name="device">The rank's opened device.</param>
    /// <param name="context">The rank, the group and its shared state.</param>
    public abstract IDeviceCommunicator? CreateCommunicator(ComputeDevice device, DeviceCommunicatorContext context);
}
