namespace Sgl.Platforms.ExtensionPoints;

/// <summary>What a device communicator is constructed with.</summary>
/// <param name="Rank">This rank in the group.</param>
/// <param name="WorldSize">Ranks in the group.</param>
/// <param name="LocalRank">This rank's device index on its node.</param>
/// <param name="Group">State shared by every rank of the group in this process (for in-process rendezvous); each rank receives the same instance.</param>
public sealed record DeviceCommunicatorContext(int Rank, int WorldSize, int LocalRank, IDictionary<string, object> Group);
