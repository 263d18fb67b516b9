using System.Reflection;

namespace Sgl.Platforms.Discovery;

/// <summary>
/// What the host contains when plugin code or a plugin's assembly fails, and how the failure reads in a
/// report: the vendor's own exception and message, not the reflection wrapper around it.
/// </summary>
internal static class PluginFault
{
    /// <summary>
    /// True for every failure one plugin can cause in loading, composing or initialising its types
    /// (a missing or newer dependency, a corrupt image, a throwing static constructor...): it becomes that
    /// plugin's Failed row. Only the runtime's own exhaustion is left to end the process.
    /// </summary>
    public static bool IsContained(Exception e) => e is not (OutOfMemoryException or InsufficientExecutionStackException);

    /// <summary>The innermost cause of a failure, past reflection, task and type-initialiser wrappers.</summary>
    public static Exception Cause(Exception e)
    {
        while (e is TargetInvocationException or AggregateException or TypeInitializationException && e.InnerException is not null)
        {
            e = e.InnerException!;
        }

        return e;
    }

    /// <summary>"InvalidOperationException in the static constructor of Vendor.X: message", or "FileNotFoundException: message".</summary>
    public static string Describe(Exception e)
    {
        var initializer = FindTypeInitializer(e);
        var cause = Cause(e);
        var where = initializer is null ? "" : $" in the static constructor of {initializer.TypeName}";
        return $"{cause.GetType().Name}{where}: {cause.Message}";
    }

    private static TypeInitializationException? FindTypeInitializer(Exception? e)
    {
        for (; e is not null; e = e.InnerException)
        {
            if (e is TypeInitializationException initializer)
            {
                return initializer;
            }
        }

        return null;
    }
}
