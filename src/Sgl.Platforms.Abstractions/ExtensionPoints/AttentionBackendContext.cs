namespace Sgl.Platforms.ExtensionPoints;

/// <summary>What an attention backend factory is given.</summary>
/// <param name="KvPool">The pool the backend reads keys and values from.</param>
/// <param name="HeadCount">Query heads on this rank.</param>
/// <param name="KvHeadCount">Key/value heads on this rank.</param>
/// <param name="HeadDim">Elements per head.</param>
public sealed record AttentionBackendContext(IKvPool KvPool, int HeadCount, int KvHeadCount, int HeadDim);
