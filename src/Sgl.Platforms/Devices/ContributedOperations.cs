using Sgl.Platforms.Contributions;

namespace Sgl.Platforms.Devices;

/// <summary>A contribution's device operations, opened on the program's device.</summary>
/// <param name="Name">The contribution's name, reported as the operations' runner.</param>
/// <param name="IsPreferred">True to place the operations it supports before the device's own; false to fill only the device's gaps.</param>
/// <param name="Operations">The opened set.</param>
public sealed record ContributedOperations(string Name, bool IsPreferred, IDeviceOperations Operations);
