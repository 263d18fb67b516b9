namespace Sgl.Platforms.Devices;

/// <summary>
/// An operation, copy or allocation was given buffers whose shapes, element types or devices do not fit
/// together. Raised at the contract boundary, before any platform code runs; the message names every operand.
/// </summary>
public sealed class TensorShapeException : ArgumentException
{
    /// <summary>Creates the exception.</summary>
    public TensorShapeException()
    {
    }

    /// <summary>Creates the exception with a message.</summary>
    /// <param name="message">What does not fit, with the shapes.</param>
    public TensorShapeException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the exception with a message and cause.</summary>
    /// <param name="message">What does not fit, with the shapes.</param>
    /// <param name="innerException">The cause.</param>
    public TensorShapeException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
