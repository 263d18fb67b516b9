using System.Numerics.Tensors;

namespace Sgl.Diffusion.Attention;

/// <summary>Scaled dot-product attention with SIMD primitives; the score row is reused across queries.</summary>
internal sealed class SdpaAttention : IDiffusionAttention
{
    public const string BackendName = "sdpa";

    private float[] _scores = [];

    public string Name => BackendName;

    public void Attend(ReadOnlySpan<float> q, ReadOnlySpan<float> k, ReadOnlySpan<float> v, int tokens, int headDim, Span<float> output)
    {
        if (_scores.Length < tokens)
        {
            _scores = new float[tokens];
        }

        var scores = _scores.AsSpan(0, tokens);
        var scale = 1f / MathF.Sqrt(headDim);
        for (var i = 0; i < tokens; i++)
        {
            var query = q.Slice(i * headDim, headDim);
            for (var j = 0; j < tokens; j++)
            {
                scores[j] = TensorPrimitives.Dot(query, k.Slice(j * headDim, headDim)) * scale;
            }

            TensorPrimitives.SoftMax(scores, scores);
            var o = output.Slice(i * headDim, headDim);
            o.Clear();
            for (var j = 0; j < tokens; j++)
            {
                TensorPrimitives.MultiplyAdd(v.Slice(j * headDim, headDim), scores[j], o, o);
            }
        }
    }
}
