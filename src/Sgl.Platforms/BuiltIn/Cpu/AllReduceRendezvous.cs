using System.Globalization;
using System.Numerics.Tensors;

namespace Sgl.Platforms.BuiltIn.Cpu;

/// <summary>
/// Where the ranks of one in-process group meet for an all-reduce: each rank publishes its buffer, waits
/// for the others, then sums every rank's buffer in rank order. Every rank therefore computes the same
/// additions in the same order and receives bit-identical results, whatever the thread timing.
/// </summary>
internal sealed class AllReduceRendezvous : IDisposable
{
    private readonly Barrier _barrier;
    private readonly float[][] _contributions;
    private readonly int[] _lengths;

    public AllReduceRendezvous(int worldSize)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(worldSize, 1);
        WorldSize = worldSize;
        _barrier = new Barrier(worldSize);
        _contributions = new float[worldSize][];
        _lengths = new int[worldSize];
        for (var rank = 0; rank < worldSize; rank++)
        {
            _contributions[rank] = [];
        }
    }

    public int WorldSize { get; }

    /// <summary>Sums <paramref name="buffer"/> across the group; blocks until every rank has contributed.</summary>
    public void AllReduceSum(int rank, Span<float> buffer, CancellationToken aborted)
    {
        // Each rank grows and writes only its own contribution, and only before the first barrier.
        if (_contributions[rank].Length < buffer.Length)
        {
            _contributions[rank] = new float[buffer.Length];
        }

        buffer.CopyTo(_contributions[rank]);
        _lengths[rank] = buffer.Length;
        _barrier.SignalAndWait(aborted);

        for (var other = 0; other < WorldSize; other++)
        {
            if (_lengths[other] != buffer.Length)
            {
                // Every rank sees the same lengths, so every rank throws here and none waits below.
                throw new InvalidOperationException(string.Create(CultureInfo.InvariantCulture,
                    $"All-reduce length mismatch: rank {rank} has {buffer.Length} floats, rank {other} has {_lengths[other]}."));
            }
        }

        _contributions[0].AsSpan(0, buffer.Length).CopyTo(buffer);
        for (var other = 1; other < WorldSize; other++)
        {
            TensorPrimitives.Add(buffer, _contributions[other].AsSpan(0, buffer.Length), buffer);
        }

        // No rank may overwrite its contribution for the next call until everyone has read this one.
        _barrier.SignalAndWait(aborted);
    }

    public void Dispose() => _barrier.Dispose();
}
