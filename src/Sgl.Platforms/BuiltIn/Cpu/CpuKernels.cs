using System.Numerics.Tensors;

namespace Sgl.Platforms.BuiltIn.Cpu;

/// <summary>
/// The CPU reference of every device operation, in float32 over spans with SIMD primitives. It defines what
/// the operations compute (docs/contract.md): other platforms are checked against it, and operations a
/// platform does not run fall back to it. Nothing here allocates.
/// </summary>
internal static class CpuKernels
{
    public static void EmbeddingGather(ReadOnlySpan<float> table, int vocabulary, int hidden, ReadOnlySpan<int> ids, Span<float> output)
    {
        for (var r = 0; r < ids.Length; r++)
        {
            var row = output.Slice(r * hidden, hidden);
            var id = ids[r];
            if ((uint)id < (uint)vocabulary)
            {
                table.Slice(id * hidden, hidden).CopyTo(row);
            }
            else
            {
                row.Clear();
            }
        }
    }

    /// <summary>With a non-empty <paramref name="residual"/>, adds the input to it first and normalises the sum.</summary>
    public static void RmsNorm(ReadOnlySpan<float> input, ReadOnlySpan<float> weight, Span<float> output, Span<float> residual, int rows, int hidden, float epsilon)
    {
        for (var r = 0; r < rows; r++)
        {
            var inputRow = input.Slice(r * hidden, hidden);
            ReadOnlySpan<float> x = inputRow;
            if (!residual.IsEmpty)
            {
                var residualRow = residual.Slice(r * hidden, hidden);
                TensorPrimitives.Add(residualRow, inputRow, residualRow);
                x = residualRow;
            }

            var outputRow = output.Slice(r * hidden, hidden);
            var meanSquare = TensorPrimitives.SumOfSquares(x) / hidden;
            TensorPrimitives.Multiply(x, 1f / MathF.Sqrt(meanSquare + epsilon), outputRow);
            TensorPrimitives.Multiply(outputRow, weight, outputRow);
        }
    }

    /// <summary>y = x Wᵀ for x [rows, k] and W [n, k].</summary>
    public static void MatMul(ReadOnlySpan<float> x, ReadOnlySpan<float> weight, Span<float> y, int rows, int n, int k)
    {
        for (var r = 0; r < rows; r++)
        {
            var xRow = x.Slice(r * k, k);
            var yRow = y.Slice(r * n, n);
            for (var j = 0; j < n; j++)
            {
                yRow[j] = TensorPrimitives.Dot(weight.Slice(j * k, k), xRow);
            }
        }
    }

    public static void Rotary(Span<float> tensor, int rows, int columns, ReadOnlySpan<int> positions, ReadOnlySpan<float> cosSin, int tablePositions, int headDim, int headCount)
    {
        var half = headDim / 2;
        for (var r = 0; r < rows; r++)
        {
            var position = positions[r];
            if ((uint)position >= (uint)tablePositions)
            {
                continue;
            }

            var cos = cosSin.Slice(position * headDim, half);
            var sin = cosSin.Slice(position * headDim + half, half);
            var row = tensor.Slice(r * columns, columns);
            for (var h = 0; h < headCount; h++)
            {
                var head = row.Slice(h * headDim, headDim);
                for (var i = 0; i < half; i++)
                {
                    var a = head[2 * i];
                    var b = head[2 * i + 1];
                    head[2 * i] = a * cos[i] - b * sin[i];
                    head[2 * i + 1] = a * sin[i] + b * cos[i];
                }
            }
        }
    }

    public static void SiluMul(ReadOnlySpan<float> gateUp, Span<float> output, int rows, int width)
    {
        for (var r = 0; r < rows; r++)
        {
            var gate = gateUp.Slice(r * 2 * width, width);
            var up = gateUp.Slice(r * 2 * width + width, width);
            var o = output.Slice(r * width, width);
            TensorPrimitives.Sigmoid(gate, o);
            TensorPrimitives.Multiply(o, gate, o);
            TensorPrimitives.Multiply(o, up, o);
        }
    }

    public static void Add(ReadOnlySpan<float> a, ReadOnlySpan<float> b, Span<float> output, int rows, int columns, int bRows, float scaleA, float scaleB)
    {
        for (var r = 0; r < rows; r++)
        {
            var aRow = a.Slice(r * columns, columns);
            var bRow = b.Slice((bRows == 1 ? 0 : r) * columns, columns);
            var o = output.Slice(r * columns, columns);
            if (scaleA == 1f && scaleB == 1f)
            {
                TensorPrimitives.Add(aRow, bRow, o);
            }
            else
            {
                // a·sa first, then + b·sb: the same two roundings a fused kernel would do with fma(b, sb, a·sa).
                for (var i = 0; i < columns; i++)
                {
                    o[i] = MathF.FusedMultiplyAdd(bRow[i], scaleB, aRow[i] * scaleA);
                }
            }
        }
    }

    public static void KvWrite(ReadOnlySpan<float> qkv, KvLayout layout, Span<float> keyCache, Span<float> valueCache, ReadOnlySpan<int> slotTable, ReadOnlySpan<int> positions)
    {
        var kvWidth = layout.KvWidth;
        for (var r = 0; r < layout.Tokens; r++)
        {
            if (layout.SlotOf(slotTable, positions, r) is not { } slot)
            {
                continue;
            }

            var row = qkv.Slice(r * layout.QkvWidth, layout.QkvWidth);
            row.Slice(layout.KeyOffset, kvWidth).CopyTo(keyCache.Slice(slot * kvWidth, kvWidth));
            row.Slice(layout.ValueOffset, kvWidth).CopyTo(valueCache.Slice(slot * kvWidth, kvWidth));
        }
    }

    /// <summary>Causal attention over the cache; <paramref name="scores"/> and <paramref name="weights"/> hold at least table-columns floats.</summary>
    public static void PagedAttention(ReadOnlySpan<float> qkv, KvLayout layout, ReadOnlySpan<float> keyCache, ReadOnlySpan<float> valueCache, ReadOnlySpan<int> slotTable, ReadOnlySpan<int> positions, Span<float> output, float scale, Span<float> scores, Span<float> weights)
    {
        var headDim = layout.HeadDim;
        var kvWidth = layout.KvWidth;
        var outputWidth = layout.QueryHeads * headDim;
        var queriesPerKvHead = layout.QueryHeads / layout.KvHeads;
        for (var r = 0; r < layout.Tokens; r++)
        {
            var outputRow = output.Slice(r * outputWidth, outputWidth);
            outputRow.Clear();
            var position = positions[r];
            if ((uint)position >= (uint)layout.TableColumns)
            {
                continue;
            }

            var sequenceSlots = slotTable.Slice(layout.SequenceOf(r) * layout.TableColumns, position + 1);
            var count = sequenceSlots.Length;
            var qRow = qkv.Slice(r * layout.QkvWidth, outputWidth);
            for (var head = 0; head < layout.QueryHeads; head++)
            {
                var kvOffset = head / queriesPerKvHead * headDim;
                var q = qRow.Slice(head * headDim, headDim);
                var s = scores[..count];
                var valid = 0;
                for (var j = 0; j < count; j++)
                {
                    var slot = sequenceSlots[j];
                    if ((uint)slot < (uint)layout.Capacity)
                    {
                        s[j] = TensorPrimitives.Dot(q, keyCache.Slice(slot * kvWidth + kvOffset, headDim));
                        valid++;
                    }
                    else
                    {
                        s[j] = float.NegativeInfinity;
                    }
                }

                if (valid == 0)
                {
                    continue;
                }

                var w = weights[..count];
                TensorPrimitives.Multiply(s, scale, s);
                TensorPrimitives.SoftMax(s, w);
                var o = outputRow.Slice(head * headDim, headDim);
                for (var j = 0; j < count; j++)
                {
                    var slot = sequenceSlots[j];
                    if ((uint)slot < (uint)layout.Capacity)
                    {
                        TensorPrimitives.MultiplyAdd(valueCache.Slice(slot * kvWidth + kvOffset, headDim), w[j], o, o);
                    }
                }
            }
        }
    }

    /// <summary>Dense attention of every row over every row; <paramref name="scores"/> and <paramref name="weights"/> hold at least <paramref name="tokens"/> floats.</summary>
    public static void Attention(ReadOnlySpan<float> query, ReadOnlySpan<float> key, ReadOnlySpan<float> value, Span<float> output, int tokens, int columns, int headDim, float scale, Span<float> scores, Span<float> weights)
    {
        var s = scores[..tokens];
        var w = weights[..tokens];
        for (var head = 0; head < columns / headDim; head++)
        {
            var offset = head * headDim;
            for (var i = 0; i < tokens; i++)
            {
                var q = query.Slice(i * columns + offset, headDim);
                for (var j = 0; j < tokens; j++)
                {
                    s[j] = TensorPrimitives.Dot(q, key.Slice(j * columns + offset, headDim)) * scale;
                }

                TensorPrimitives.SoftMax(s, w);
                var o = output.Slice(i * columns + offset, headDim);
                o.Clear();
                for (var j = 0; j < tokens; j++)
                {
                    TensorPrimitives.MultiplyAdd(value.Slice(j * columns + offset, headDim), w[j], o, o);
                }
            }
        }
    }

    /// <summary>The lowest index of each row's maximum; a NaN counts as the maximum (the first NaN wins).</summary>
    public static void Argmax(ReadOnlySpan<float> logits, int rows, int vocabulary, Span<int> output)
    {
        for (var r = 0; r < rows; r++)
        {
            output[r] = TensorPrimitives.IndexOfMax(logits.Slice(r * vocabulary, vocabulary));
        }
    }

    /// <summary>FillUniform's values for elements [<paramref name="firstIndex"/>, + output.Length), in float32 (docs/contract.md).</summary>
    public static void FillUniform(Span<float> output, long firstIndex, ulong seed, float low, float high)
    {
        var range = high - low;
        for (var i = 0; i < output.Length; i++)
        {
            var z = unchecked(seed + ((ulong)(firstIndex + i) + 1) * 0x9E3779B97F4A7C15UL);
            z = unchecked((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL);
            z = unchecked((z ^ (z >> 27)) * 0x94D049BB133111EBUL);
            z ^= z >> 31;
            var u = (z >> 40) * (1f / (1 << 24));
            output[i] = MathF.FusedMultiplyAdd(u, range, low);
        }
    }
}
