namespace Sgl.Platforms.Discovery;

/// <summary>How to load a plugin assembly.</summary>
/// <param name="AssemblyName">The simple name.</param>
/// <param name="Path">The file, or null when the assembly is bundled into a single-file app and loads by name.</param>
/// <param name="Isolated">Load into its own AssemblyLoadContext (development and installed plugins) rather than the application's.</param>
/// <param name="Verified">For an installed plugin, the bytes it was verified with: read and loaded from there, never again from <paramref name="Path"/>.</param>
internal sealed record PluginAssemblyLocation(string AssemblyName, string? Path, bool Isolated, VerifiedPlugin? Verified = null);
