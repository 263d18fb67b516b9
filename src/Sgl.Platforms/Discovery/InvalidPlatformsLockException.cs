namespace Sgl.Platforms.Discovery;

/// <summary>
/// <c>platforms.lock.json</c> exists but is not a lock file this host can trust: unreadable JSON, a field
/// missing, null or malformed, an entry listed twice, or a path that would lead outside the plugins home.
/// The message names the file and every field that is wrong; <see cref="Advice"/> says what to run.
/// </summary>
internal sealed class InvalidPlatformsLockException : Exception
{
    /// <summary>What to do about a lock file that cannot be used.</summary>
    public const string Advice = "Restore the file from version control or a good node and run 'sgl platforms restore', " +
        "or delete it and install the plugins again with 'sgl platforms install <id>'.";

    public InvalidPlatformsLockException()
    {
    }

    public InvalidPlatformsLockException(string message)
        : base(message)
    {
    }

    public InvalidPlatformsLockException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    public InvalidPlatformsLockException(string path, IEnumerable<string> problems, Exception? innerException = null)
        : base($"'{path}' is not a usable plugins lock file: {string.Join("; ", problems)}", innerException)
    {
    }
}
