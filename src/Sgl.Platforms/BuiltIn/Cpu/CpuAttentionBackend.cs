using System.Globalization;
using System.Numerics.Tensors;
using Sgl.Platforms.ExtensionPoints;

namespace Sgl.Platforms.BuiltIn.Cpu;

/// <summary>
/// Scaled dot-product attention over the cpu KV pool with SIMD primitives (dot products, softmax,
/// multiply-add). Keys and values are read in place from the pool, and the score buffers are sized to the
/// pool's capacity once, so a decode step allocates nothing.
/// </summary>
/// <remarks>One instance per rank: the scratch buffers make an instance single-threaded.</remarks>
internal sealed class CpuAttentionBackend : IAttentionBackend
{
    private readonly CpuKvPool _pool;
    private readonly int _headCount;
    private readonly int _headDim;
    private readonly int _queriesPerKvHead;
    private readonly float _scale;
    /// <summary>Scratch is sized up front for sequences up to this long (the pool's capacity, if smaller): 2 × 256 KiB at most.</summary>
    private const int PresizedTokens = 1 << 16;

    private float[] _scores;
    private float[] _weights;

    public CpuAttentionBackend(AttentionBackendContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        _pool = context.KvPool as CpuKvPool
            ?? throw new ArgumentException($"The '{CpuPlatform.AttentionBackendName}' attention backend reads the cpu KV pool in place; it was given a {context.KvPool.GetType().Name}.", nameof(context));
        if (context.HeadCount < 1 || context.KvHeadCount < 1 || context.HeadCount % context.KvHeadCount != 0)
        {
            throw new ArgumentException(string.Create(CultureInfo.InvariantCulture,
                $"Query heads ({context.HeadCount}) must be a positive multiple of key/value heads ({context.KvHeadCount})."), nameof(context));
        }

        if (context.KvHeadCount * context.HeadDim != _pool.TokenStride)
        {
            throw new ArgumentException(string.Create(CultureInfo.InvariantCulture,
                $"The KV pool holds {_pool.TokenStride} floats per token, but {context.KvHeadCount} heads × {context.HeadDim} need {context.KvHeadCount * context.HeadDim}."), nameof(context));
        }

        _headCount = context.HeadCount;
        _headDim = context.HeadDim;
        _queriesPerKvHead = context.HeadCount / context.KvHeadCount;
        _scale = 1f / MathF.Sqrt(context.HeadDim);
        // No sequence can be longer than the pool, so sizing to it means decode never grows the buffers.
        _scores = new float[Math.Min(_pool.Capacity, PresizedTokens)];
        _weights = new float[_scores.Length];
    }

    /// <inheritdoc />
    public string Name => CpuPlatform.AttentionBackendName;

    /// <inheritdoc />
    public void Attend(int layer, ReadOnlySpan<float> query, ReadOnlySpan<int> kvSlots, Span<float> output)
    {
        var width = _headCount * _headDim;
        if (query.Length != width || output.Length != width)
        {
            throw new ArgumentException(string.Create(CultureInfo.InvariantCulture,
                $"Query and output each hold {width} floats (HeadCount × HeadDim); got {query.Length} and {output.Length}."));
        }

        if (kvSlots.IsEmpty)
        {
            throw new ArgumentException("Attention needs at least one cached token (the current one).", nameof(kvSlots));
        }

        EnsureScratch(kvSlots.Length);
        var keys = _pool.LayerKeys(layer);
        var values = _pool.LayerValues(layer);
        var stride = _pool.TokenStride;
        var scores = _scores.AsSpan(0, kvSlots.Length);
        var weights = _weights.AsSpan(0, kvSlots.Length);
        for (var head = 0; head < _headCount; head++)
        {
            var kvOffset = head / _queriesPerKvHead * _headDim;
            var q = query.Slice(head * _headDim, _headDim);
            for (var t = 0; t < kvSlots.Length; t++)
            {
                scores[t] = TensorPrimitives.Dot(q, keys.Slice(kvSlots[t] * stride + kvOffset, _headDim));
            }

            TensorPrimitives.Multiply(scores, _scale, scores);
            TensorPrimitives.SoftMax(scores, weights);

            var o = output.Slice(head * _headDim, _headDim);
            o.Clear();
            for (var t = 0; t < kvSlots.Length; t++)
            {
                TensorPrimitives.MultiplyAdd(values.Slice(kvSlots[t] * stride + kvOffset, _headDim), weights[t], o, o);
            }
        }
    }

    private void EnsureScratch(int tokens)
    {
        if (tokens > _scores.Length)
        {
            // Only for pools beyond the presized length; doubling keeps growth to a handful of times.
            var size = Math.Max(tokens, _scores.Length * 2);
            _scores = new float[size];
            _weights = new float[size];
        }
    }
}
