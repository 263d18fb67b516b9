namespace Sgl.Platforms.Serving;

/// <summary>The KV pool has fewer free slots than asked for, or no memory for a single token.</summary>
public sealed class KvPoolExhaustedException : Exception
{
    /// <summary>Creates the exception.</summary>
    public KvPoolExhaustedException()
    {
    }

    /// <summary>Creates the exception with a message.</summary>
    /// <param name="message">What happened and what to do.</param>
    public KvPoolExhaustedException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the exception with a message and cause.</summary>
    /// <param name="message">What happened and what to do.</param>
    /// <param name="innerException">The cause.</param>
    public KvPoolExhaustedException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
