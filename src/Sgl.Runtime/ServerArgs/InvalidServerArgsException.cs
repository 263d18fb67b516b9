namespace Sgl.Runtime.ServerArgs;

/// <summary>A server argument is invalid for this model or platform; the message names the argument and the values that would work.</summary>
public sealed class InvalidServerArgsException : Exception
{
    /// <summary>Creates the exception.</summary>
    public InvalidServerArgsException()
    {
    }

    /// <summary>Creates the exception with a message.</summary>
    /// <param name="message">What is wrong and what to pass instead.</param>
    public InvalidServerArgsException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the exception with a message and cause.</summary>
    /// <param name="message">What is wrong and what to pass instead.</param>
    /// <param name="innerException">The cause.</param>
    public InvalidServerArgsException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
