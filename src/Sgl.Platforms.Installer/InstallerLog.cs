using Microsoft.Extensions.Logging;

namespace Sgl.Platforms.Installer;

/// <summary>The installer's log messages.</summary>
internal static partial class InstallerLog
{
    [LoggerMessage(EventId = 2001, Level = LogLevel.Information, Message = "Installed {Id} {Version} from {Source} into {Directory} (platforms: {Platforms}).")]
    public static partial void Installed(ILogger logger, string id, string version, string source, string directory, IEnumerable<string> platforms);

    [LoggerMessage(EventId = 2002, Level = LogLevel.Information, Message = "Removed {Id} {Version}.")]
    public static partial void Removed(ILogger logger, string id, string version);

    [LoggerMessage(EventId = 2003, Level = LogLevel.Information, Message = "Restored {Id} {Version} from {Source}.")]
    public static partial void Restored(ILogger logger, string id, string version, string source);

    [LoggerMessage(EventId = 2004, Level = LogLevel.Information, Message = "Waiting for another install into {Home} to finish.")]
    public static partial void WaitingForLock(ILogger logger, string home);

    [LoggerMessage(EventId = 2005, Level = LogLevel.Debug, Message = "Leaving out {Id}, a dependency of {Parent}: the host provides it.")]
    public static partial void HostProvided(ILogger logger, string id, string parent);

    [LoggerMessage(EventId = 2006, Level = LogLevel.Debug, Message = "Removed leftover {Path} from an interrupted or replaced install.")]
    public static partial void RemovedLeftover(ILogger logger, string path);
}
