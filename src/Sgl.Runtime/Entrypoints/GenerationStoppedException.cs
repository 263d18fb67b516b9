namespace Sgl.Runtime.Entrypoints;

/// <summary>
/// A generation that started but could not finish (the KV pool filled up part way): it carries the plan and the
/// tokens generated so far, so a launcher can show how far the run got. The cause is the inner exception, typically
/// <see cref="Sgl.Platforms.Serving.KvPoolExhaustedException"/>.
/// </summary>
public sealed class GenerationStoppedException : Exception
{
    /// <summary>Creates the exception.</summary>
    public GenerationStoppedException()
    {
    }

    /// <summary>Creates the exception with a message.</summary>
    /// <param name="message">Why the generation stopped and what to change.</param>
    public GenerationStoppedException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the exception with a message and cause.</summary>
    /// <param name="message">Why the generation stopped and what to change.</param>
    /// <param name="innerException">What stopped it.</param>
    public GenerationStoppedException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    /// <summary>What the runtime had set up when the generation stopped.</summary>
    public LaunchPlan? Plan { get; init; }

    /// <summary>The prompt's token ids.</summary>
    public IReadOnlyList<int> PromptTokenIds { get; init; } = [];

    /// <summary>The tokens generated before the generation stopped, in order.</summary>
    public IReadOnlyList<int> OutputTokenIds { get; init; } = [];
}
