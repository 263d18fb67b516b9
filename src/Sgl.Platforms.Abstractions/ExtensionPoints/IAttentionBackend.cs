namespace Sgl.Platforms.ExtensionPoints;

/// <summary>Computes attention of new query tokens over the keys and values held in a KV pool.</summary>
public interface IAttentionBackend
{
    /// <summary>The backend's name as <see cref="Platform.GetAttentionBackends"/> lists it.</summary>
    string Name { get; }

    /// <summary>Attends one query token over the cached tokens of one sequence in one layer.</summary>
    /// <param name="layer">The layer.</param>
    /// <param name="query">HeadCount × HeadDim elements.</param>
    /// <param name="kvSlots">The sequence's token slots, oldest first, including the current token.</param>
    /// <param name="output">Receives HeadCount × HeadDim elements.</param>
    void Attend(int layer, ReadOnlySpan<float> query, ReadOnlySpan<int> kvSlots, Span<float> output);
}
