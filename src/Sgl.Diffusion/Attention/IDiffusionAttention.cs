namespace Sgl.Diffusion.Attention;

/// <summary>Full (non-causal) self-attention over every latent token, one head.</summary>
internal interface IDiffusionAttention
{
    string Name { get; }

    /// <summary>output = softmax(q kᵀ / √d) v for row-major [tokens, headDim] q, k, v.</summary>
    void Attend(ReadOnlySpan<float> q, ReadOnlySpan<float> k, ReadOnlySpan<float> v, int tokens, int headDim, Span<float> output);
}
