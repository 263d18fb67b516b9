namespace Sgl.Platforms.Installer;

/// <summary>Points in an install where tests inject a failure to show that an interrupted install loses nothing.</summary>
internal enum InstallFaultPoint
{
    /// <summary>The new plugin is staged and verified; nothing in the home has changed yet.</summary>
    AfterStaging,

    /// <summary>The new plugin folder is in place but the lock file does not pin it yet.</summary>
    BeforeLockCommit,
}
