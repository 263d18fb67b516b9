using System.Globalization;
using System.IO.MemoryMappedFiles;
using System.Numerics.Tensors;
using System.Security.Cryptography;
using System.Text;
using Sgl.Platforms.Devices;
using Sgl.Platforms.Discovery;
using Sgl.Platforms.Serving;

namespace Sgl.Platforms.BuiltIn.Cpu;

/// <summary>
/// The cpu platform's communicator when tensor-parallel ranks are processes of one node: they share a memory segment
/// and sum through it, chunk by chunk, in rank order, so every rank receives the same bits as the in-process
/// communicator would give. Rank 0 creates the segment (a new file, mode 0600, under a random name) and publishes its
/// path through the launcher's rendezvous; the others open it only if it is a regular file owned by this user with
/// mode 0600; rank 0 unlinks it as soon as everyone has it mapped, so nothing is left behind.
/// </summary>
/// <remarks>
/// Across nodes this does not work: a multi-node cpu group needs a network transport (gloo's TCP ring, or MPI), which
/// this repository does not have (docs/architecture.md).
/// </remarks>
internal sealed unsafe class SharedMemoryCommunicator : IDeviceCommunicator
{
    /// <summary>The rendezvous key under which rank 0 publishes the segment's path.</summary>
    internal const string SegmentKey = "cpu.shm.segment";

    /// <summary>Floats each rank's slot holds: a larger buffer is reduced in chunks of this size.</summary>
    internal const int ChunkFloats = 1 << 18;

    private const int Magic = 0x534C4753; // "SGLS"
    private const int HeaderBytes = 64;
    private const int LineBytes = 64; // one cache line per counter, so ranks do not share lines they write
    private const string NamePrefix = "sgl-tp-";
    private static readonly System.Buffers.SearchValues<char> LowerHexDigits = System.Buffers.SearchValues.Create("0123456789abcdef");
    private const int SpinsBeforeSleeping = 64;
    private static readonly TimeSpan AttachTimeout = TimeSpan.FromMinutes(5);

    private readonly MemoryMappedFile _file;
    private readonly MemoryMappedViewAccessor _view;
    private readonly byte* _base;
    private readonly CancellationToken _aborted;
    private int _sense;

    public SharedMemoryCommunicator(DeviceCommunicatorContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        var rendezvous = context.Rendezvous ?? throw new ArgumentException("The shared-memory communicator needs the launcher's rendezvous.", nameof(context));
        ArgumentOutOfRangeException.ThrowIfLessThan(context.WorldSize, 1, nameof(context));
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual((uint)context.Rank, (uint)context.WorldSize, nameof(context));
        if (OperatingSystem.IsWindows())
        {
            throw new PlatformNotSupportedException("The cpu platform's multi-process communicator needs a Unix shared-memory file; run the ranks in process (--tp-workers thread).");
        }

        Rank = context.Rank;
        WorldSize = context.WorldSize;
        _aborted = context.Aborted;
        var size = SegmentBytes(WorldSize);
        string path;
        FileStream stream;
        if (Rank == 0)
        {
            path = Path.Combine(SegmentDirectory, NamePrefix + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(16)));
            stream = new FileStream(path, new FileStreamOptions
            {
                Mode = FileMode.CreateNew,
                Access = FileAccess.ReadWrite,
                UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite,
            });
            stream.SetLength(size);
        }
        else
        {
            path = Encoding.UTF8.GetString(rendezvous.Read(SegmentKey, AttachTimeout, _aborted));
            stream = OpenPeerSegment(path, size);
        }

        try
        {
            _file = MemoryMappedFile.CreateFromFile(stream, null, size, MemoryMappedFileAccess.ReadWrite, HandleInheritability.None, leaveOpen: false);
            _view = _file.CreateViewAccessor(0, size, MemoryMappedFileAccess.ReadWrite);
            byte* pointer = null;
            _view.SafeMemoryMappedViewHandle.AcquirePointer(ref pointer);
            _base = pointer + _view.PointerOffset;
        }
        catch
        {
            stream.Dispose();
            throw;
        }

        if (Rank == 0)
        {
            Header[1] = WorldSize;
            Header[2] = ChunkFloats;
            Volatile.Write(ref Header[0], Magic);
            rendezvous.Publish(SegmentKey, Encoding.UTF8.GetBytes(path));
        }
        else if (Volatile.Read(ref Header[0]) != Magic || Header[1] != WorldSize || Header[2] != ChunkFloats)
        {
            Dispose();
            throw new InvalidDataException(string.Create(CultureInfo.InvariantCulture,
                $"The shared-memory segment '{path}' rank 0 published does not describe a group of {WorldSize} ranks with {ChunkFloats}-float chunks."));
        }

        // Once every rank has it mapped, the name is no longer needed: nothing lingers, whatever happens next.
        Barrier();
        if (Rank == 0)
        {
            File.Delete(path);
        }
    }

    /// <inheritdoc />
    public string Backend => "shm";

    /// <inheritdoc />
    public int Rank { get; }

    /// <inheritdoc />
    public int WorldSize { get; }

    /// <summary>Where segments are created: <c>/dev/shm</c> (memory, never disk) when the system has it.</summary>
    internal static string SegmentDirectory => Directory.Exists("/dev/shm") ? "/dev/shm" : Path.GetTempPath();

    private int* Header => (int*)_base;

    private int* BarrierCount => (int*)(_base + HeaderBytes);

    private int* BarrierSense => (int*)(_base + HeaderBytes + LineBytes);

    /// <inheritdoc />
    /// <exception cref="ArgumentException">The buffer is not a float32 buffer of a cpu device.</exception>
    /// <exception cref="InvalidOperationException">The ranks passed buffers of different lengths.</exception>
    public void AllReduce(AllReduceOperation operation)
    {
        var buffer = CpuCommunicator.FloatsToSum(operation, Backend);
        if (WorldSize == 1)
        {
            return;
        }

        for (var offset = 0; offset < Math.Max(buffer.Length, 1); offset += ChunkFloats)
        {
            var chunk = buffer.Slice(offset, Math.Min(ChunkFloats, buffer.Length - offset));
            chunk.CopyTo(Slot(Rank));
            Volatile.Write(ref Length(Rank), buffer.Length);
            Barrier();
            for (var other = 0; other < WorldSize; other++)
            {
                if (Length(other) != buffer.Length)
                {
                    // Every rank sees the same lengths, so every rank throws here and none waits below.
                    throw new InvalidOperationException(string.Create(CultureInfo.InvariantCulture,
                        $"All-reduce length mismatch: rank {Rank} has {buffer.Length} floats, rank {other} has {Length(other)}."));
                }
            }

            Slot(0)[..chunk.Length].CopyTo(chunk);
            for (var other = 1; other < WorldSize; other++)
            {
                TensorPrimitives.Add(chunk, Slot(other)[..chunk.Length], chunk);
            }

            // No rank may overwrite its slot for the next chunk until everyone has read this one.
            Barrier();
        }
    }

    public void Dispose()
    {
        if (_view is null)
        {
            return;
        }

        _view.SafeMemoryMappedViewHandle.ReleasePointer();
        _view.Dispose();
        _file.Dispose();
    }

    /// <summary>Bytes of a segment for <paramref name="worldSize"/> ranks: header, barrier, one length per rank, then the slots.</summary>
    internal static long SegmentBytes(int worldSize) => DataOffset(worldSize) + (long)worldSize * ChunkFloats * sizeof(float);

    private static int DataOffset(int worldSize) => (HeaderBytes + 2 * LineBytes + worldSize * LineBytes + 4095) & ~4095;

    /// <summary>Opens the segment rank 0 published, refusing anything a user other than this one could have made or could read.</summary>
    [System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
    private static FileStream OpenPeerSegment(string path, long size)
    {
        var name = Path.GetFileName(path);
        if (Path.GetDirectoryName(path) != SegmentDirectory || !name.StartsWith(NamePrefix, StringComparison.Ordinal)
            || name.Length != NamePrefix.Length + 32 || name.AsSpan(NamePrefix.Length).ContainsAnyExcept(LowerHexDigits))
        {
            throw new InvalidDataException($"The shared-memory segment path published for this group, '{path}', is not one rank 0 creates ({SegmentDirectory}/{NamePrefix}<32 hex digits>).");
        }

        var status = UnixFileStatus.Of(path) ?? throw new FileNotFoundException($"The shared-memory segment '{path}' is gone.", path);
        var mode = status.Mode & (UnixFileMode)0xFFF;
        if (!status.IsRegularFile || (status.OwnerId is { } owner && owner != UnixFileStatus.EffectiveUserId()) || mode != (UnixFileMode.UserRead | UnixFileMode.UserWrite))
        {
            throw new UnauthorizedAccessException(string.Create(CultureInfo.InvariantCulture,
                $"The shared-memory segment '{path}' is not a regular file of this user with mode 0600 (owner {status.OwnerId?.ToString(CultureInfo.InvariantCulture) ?? "unknown"}, mode {Convert.ToString((int)mode, 8)}); refusing to map it."));
        }

        var stream = new FileStream(path, FileMode.Open, FileAccess.ReadWrite);
        if (stream.Length != size)
        {
            stream.Dispose();
            throw new InvalidDataException(string.Create(CultureInfo.InvariantCulture, $"The shared-memory segment '{path}' holds {stream.Length} bytes; a group of this size needs {size}."));
        }

        return stream;
    }

    private ref int Length(int rank) => ref *(int*)(_base + HeaderBytes + 2 * LineBytes + rank * LineBytes);

    private Span<float> Slot(int rank) => new(_base + DataOffset(WorldSize) + (long)rank * ChunkFloats * sizeof(float), ChunkFloats);

    /// <summary>
    /// A sense-reversing barrier in the shared segment: the last rank to arrive resets the count, flips the sense and
    /// wakes the others. A waiter spins briefly (a decode step's barriers are microseconds apart when every rank has a
    /// core), then sleeps on a futex. Sleeping a millisecond per wait instead (SpinWait's default) capped tp 2 decode
    /// at about 115 tokens/s on a 16-core machine where the threads' barrier reached 674 (docs/performance.md).
    /// </summary>
    private void Barrier()
    {
        _sense ^= 1;
        if (Interlocked.Increment(ref *BarrierCount) == WorldSize)
        {
            Volatile.Write(ref *BarrierCount, 0);
            Volatile.Write(ref *BarrierSense, _sense);
            if (SharedFutex.IsAvailable)
            {
                SharedFutex.WakeAll(BarrierSense);
            }

            return;
        }

        var spin = new SpinWait();
        while (Volatile.Read(ref *BarrierSense) != _sense)
        {
            if (spin.Count < SpinsBeforeSleeping || !SharedFutex.IsAvailable)
            {
                spin.SpinOnce(sleep1Threshold: -1);
                continue;
            }

            // Sleeps until the sense changes from what this rank is waiting to leave; wakes to look at cancellation.
            SharedFutex.Wait(BarrierSense, _sense ^ 1, timeoutMilliseconds: 100);
            _aborted.ThrowIfCancellationRequested();
        }
    }
}
