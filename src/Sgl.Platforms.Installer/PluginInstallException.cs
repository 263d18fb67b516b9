namespace Sgl.Platforms.Installer;

/// <summary>
/// An install, removal or restore that could not be done. The message says what happened and how to fix
/// it; the home (installed plugins and <c>platforms.lock.json</c>) is left as it was.
/// </summary>
public sealed class PluginInstallException : Exception
{
    /// <summary>Creates the exception.</summary>
    public PluginInstallException()
        : this(PluginInstallError.FeedFailed, "The plugin operation failed.")
    {
    }

    /// <summary>Creates the exception.</summary>
    public PluginInstallException(string message)
        : this(PluginInstallError.FeedFailed, message)
    {
    }

    /// <summary>Creates the exception.</summary>
    public PluginInstallException(string message, Exception innerException)
        : this(PluginInstallError.FeedFailed, message, innerException)
    {
    }

    /// <summary>Creates the exception.</summary>
    /// <param name="error">The kind of problem.</param>
    /// <param name="message">What happened and the fix.</param>
    /// <param name="innerException">The underlying error, if any.</param>
    public PluginInstallException(PluginInstallError error, string message, Exception? innerException = null)
        : base(message, innerException)
    {
        Error = error;
    }

    /// <summary>The kind of problem.</summary>
    public PluginInstallError Error { get; }
}
