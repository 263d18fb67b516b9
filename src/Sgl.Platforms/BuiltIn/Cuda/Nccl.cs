using System.Diagnostics.CodeAnalysis;
using System.Globalization;
using System.Runtime.InteropServices;

namespace Sgl.Platforms.BuiltIn.Cuda;

/// <summary>
/// NCCL (<c>libnccl.so.2</c>), bound by function pointer like the driver: loaded only when a tensor-parallel group
/// creates its communicator, from <see cref="LibraryVariable"/> when set, else by the normal loader search (the NVIDIA
/// HPC SDK, the <c>libnccl2</c> package, or a Python environment's <c>nvidia/nccl/lib</c> on <c>LD_LIBRARY_PATH</c>).
/// </summary>
internal sealed unsafe class Nccl
{
    /// <summary>The library's soname.</summary>
    public const string DefaultLibraryName = "libnccl.so.2";

    /// <summary>Names the NCCL library to load instead of the loader's choice.</summary>
    public const string LibraryVariable = "SGL_NCCL_LIBRARY";

    /// <summary>ncclSuccess.</summary>
    public const int Success = 0;

    /// <summary>ncclSum.</summary>
    public const int Sum = 0;

    /// <summary>NCCL_UNIQUE_ID_BYTES.</summary>
    public const int UniqueIdBytes = 128;

    private readonly delegate* unmanaged<int*, int> _getVersion;
    private readonly delegate* unmanaged<UniqueId*, int> _getUniqueId;
    private readonly delegate* unmanaged<IntPtr*, int, UniqueId, int, int> _commInitRank;
    private readonly delegate* unmanaged<void*, void*, nuint, int, int, IntPtr, IntPtr, int> _allReduce;
    private readonly delegate* unmanaged<IntPtr, int> _commDestroy;
    private readonly delegate* unmanaged<int, byte*> _getErrorString;
    private readonly delegate* unmanaged<IntPtr, byte*> _getLastError;

    private Nccl(IntPtr library, string path)
    {
        Path = path;
        _getVersion = (delegate* unmanaged<int*, int>)NativeLibrary.GetExport(library, "ncclGetVersion");
        _getUniqueId = (delegate* unmanaged<UniqueId*, int>)NativeLibrary.GetExport(library, "ncclGetUniqueId");
        _commInitRank = (delegate* unmanaged<IntPtr*, int, UniqueId, int, int>)NativeLibrary.GetExport(library, "ncclCommInitRank");
        _allReduce = (delegate* unmanaged<void*, void*, nuint, int, int, IntPtr, IntPtr, int>)NativeLibrary.GetExport(library, "ncclAllReduce");
        _commDestroy = (delegate* unmanaged<IntPtr, int>)NativeLibrary.GetExport(library, "ncclCommDestroy");
        _getErrorString = (delegate* unmanaged<int, byte*>)NativeLibrary.GetExport(library, "ncclGetErrorString");
        // ncclGetLastError arrived in NCCL 2.13; older libraries only have the result's string.
        _getLastError = NativeLibrary.TryGetExport(library, "ncclGetLastError", out var lastError) ? (delegate* unmanaged<IntPtr, byte*>)lastError : null;
    }

    /// <summary>What was loaded.</summary>
    public string Path { get; }

    /// <summary>Loads NCCL from <paramref name="libraryNameOrPath"/>.</summary>
    public static bool TryLoad(string libraryNameOrPath, [NotNullWhen(true)] out Nccl? nccl, [NotNullWhen(false)] out string? error)
    {
        nccl = null;
        if (!NativeLibrary.TryLoad(libraryNameOrPath, out var handle))
        {
            error = $"{libraryNameOrPath} could not be loaded";
            return false;
        }

        try
        {
            nccl = new Nccl(handle, libraryNameOrPath);
            error = null;
            return true;
        }
        catch (EntryPointNotFoundException e)
        {
            error = $"{libraryNameOrPath} is not NCCL 2 ({e.Message})";
            return false;
        }
    }

    /// <summary>NCCL's version as it reports it, for example 2.27.3.</summary>
    public string Version()
    {
        int code;
        Check(_getVersion(&code), IntPtr.Zero, "ncclGetVersion");
        // Since 2.9: major * 10000 + minor * 100 + patch.
        return string.Create(CultureInfo.InvariantCulture, $"{code / 10000}.{code / 100 % 100}.{code % 100}");
    }

    public byte[] NewUniqueId()
    {
        UniqueId id;
        Check(_getUniqueId(&id), IntPtr.Zero, "ncclGetUniqueId");
        return new ReadOnlySpan<byte>(id.Bytes, UniqueIdBytes).ToArray();
    }

    /// <summary>Joins the group <paramref name="uniqueId"/> names as <paramref name="rank"/> of <paramref name="worldSize"/>; blocks until every rank has joined.</summary>
    public IntPtr InitRank(int worldSize, ReadOnlySpan<byte> uniqueId, int rank)
    {
        if (uniqueId.Length != UniqueIdBytes)
        {
            throw new ArgumentException(string.Create(CultureInfo.InvariantCulture, $"An NCCL unique id is {UniqueIdBytes} bytes; rank 0 published {uniqueId.Length}."), nameof(uniqueId));
        }

        UniqueId id;
        uniqueId.CopyTo(new Span<byte>(id.Bytes, UniqueIdBytes));
        IntPtr comm;
        Check(_commInitRank(&comm, worldSize, id, rank), IntPtr.Zero, string.Create(CultureInfo.InvariantCulture, $"ncclCommInitRank(rank {rank} of {worldSize})"));
        return comm;
    }

    /// <summary>Enqueues an in-place sum of <paramref name="count"/> elements on <paramref name="stream"/>.</summary>
    public void AllReduceInPlace(ulong buffer, long count, int dataType, IntPtr comm, IntPtr stream) =>
        Check(_allReduce((void*)buffer, (void*)buffer, (nuint)count, dataType, Sum, comm, stream), comm, "ncclAllReduce");

    public void Destroy(IntPtr comm) => _commDestroy(comm);

    private void Check(int result, IntPtr comm, string call)
    {
        if (result == Success)
        {
            return;
        }

        var text = Marshal.PtrToStringUTF8((IntPtr)_getErrorString(result)) ?? "unknown error";
        var detail = _getLastError is null ? null : Marshal.PtrToStringUTF8((IntPtr)_getLastError(comm));
        throw new NcclException(result, string.Create(CultureInfo.InvariantCulture,
            $"{call} failed: {text} (ncclResult {result}){(string.IsNullOrWhiteSpace(detail) ? "" : $": {detail.Trim()}")}. Run with NCCL_DEBUG=WARN for NCCL's own account."));
    }

    /// <summary>ncclUniqueId: 128 opaque bytes, passed by value.</summary>
    [StructLayout(LayoutKind.Sequential)]
    private struct UniqueId
    {
        public fixed byte Bytes[UniqueIdBytes];
    }
}

/// <summary>An NCCL call failed, or NCCL could not be loaded.</summary>
public sealed class NcclException : Exception
{
    /// <summary>Creates the exception.</summary>
    public NcclException()
    {
    }

    /// <summary>Creates the exception with a message.</summary>
    /// <param name="message">What happened and what to do.</param>
    public NcclException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the exception with a message and cause.</summary>
    /// <param name="message">What happened and what to do.</param>
    /// <param name="innerException">The cause.</param>
    public NcclException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    /// <summary>Creates the exception for a failed NCCL call.</summary>
    /// <param name="result">The ncclResult_t.</param>
    /// <param name="message">What happened and what to do.</param>
    public NcclException(int result, string message)
        : base(message)
    {
        Result = result;
    }

    /// <summary>The ncclResult_t of the failed call, or 0 when no call failed.</summary>
    public int Result { get; }
}
