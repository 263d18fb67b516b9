namespace Sgl.Runtime.Entrypoints;

/// <summary>A worker process of a multi-process launch failed or died; the launcher stopped every other worker.</summary>
public sealed class WorkerFailedException : Exception
{
    /// <summary>Creates the exception.</summary>
    public WorkerFailedException()
    {
    }

    /// <summary>Creates the exception with a message.</summary>
    /// <param name="message">Which rank failed, how, and its last output.</param>
    public WorkerFailedException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the exception with a message and cause.</summary>
    /// <param name="message">Which rank failed, how, and its last output.</param>
    /// <param name="innerException">What failed.</param>
    public WorkerFailedException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    /// <summary>The rank that failed first.</summary>
    public int Rank { get; init; }
}
