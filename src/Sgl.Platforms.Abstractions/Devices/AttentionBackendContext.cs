namespace Sgl.Platforms.Devices;

/// <summary>What an attention backend factory is given.</summary>
/// <param name="Device">The opened device the backend runs on.</param>
public sealed record AttentionBackendContext(ComputeDevice Device);
