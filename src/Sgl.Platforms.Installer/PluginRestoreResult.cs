namespace Sgl.Platforms.Installer;

/// <summary>What a restore did.</summary>
/// <param name="Restored">Plugins that were missing or changed and were reinstalled exactly as pinned.</param>
/// <param name="AlreadyInPlace">Plugins whose folders already matched the lock file.</param>
public sealed record PluginRestoreResult(IReadOnlyList<InstalledPlugin> Restored, IReadOnlyList<InstalledPlugin> AlreadyInPlace);
