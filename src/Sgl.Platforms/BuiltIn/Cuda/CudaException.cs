namespace Sgl.Platforms.BuiltIn.Cuda;

/// <summary>A CUDA driver call failed, or the driver could not be loaded.</summary>
public sealed class CudaException : Exception
{
    /// <summary>Creates the exception.</summary>
    public CudaException()
    {
    }

    /// <summary>Creates the exception with a message.</summary>
    /// <param name="message">What happened and what to do.</param>
    public CudaException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the exception with a message and cause.</summary>
    /// <param name="message">What happened and what to do.</param>
    /// <param name="innerException">The cause.</param>
    public CudaException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    /// <summary>Creates the exception for a failed driver call.</summary>
    /// <param name="result">The CUresult the driver returned.</param>
    /// <param name="message">What happened and what to do.</param>
    public CudaException(int result, string message)
        : base(message)
    {
        Result = result;
    }

    /// <summary>The CUresult of the failed call, or 0 when no call failed (the library did not load, for example).</summary>
    public int Result { get; }
}
