namespace Sgl.Platforms.Devices;

/// <summary>A device's compute capability, for example 9.0 for Hopper.</summary>
/// <param name="Major">The major version.</param>
/// <param name="Minor">The minor version.</param>
public readonly record struct DeviceCapability(int Major, int Minor)
{
    /// <inheritdoc />
    public override string ToString() => $"{Major}.{Minor}";
}
