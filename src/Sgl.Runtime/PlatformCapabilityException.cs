using Sgl.Runtime.Entrypoints;

namespace Sgl.Runtime;

/// <summary>
/// The current platform lacks something the runtime needs (a KV pool, an attention backend, a
/// communicator). The launch went as far as the platform allows; <see cref="PlanSoFar"/> shows how far.
/// </summary>
public sealed class PlatformCapabilityException : Exception
{
    /// <summary>Creates the exception.</summary>
    public PlatformCapabilityException()
    {
    }

    /// <summary>Creates the exception with a message.</summary>
    /// <param name="message">What is missing on which platform.</param>
    public PlatformCapabilityException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the exception with a message and cause.</summary>
    /// <param name="message">What is missing on which platform.</param>
    /// <param name="innerException">The platform's own exception, typically <see cref="NotSupportedException"/>.</param>
    public PlatformCapabilityException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    /// <summary>The launch plan as far as it got before the missing piece.</summary>
    public LaunchPlan? PlanSoFar { get; init; }
}
