namespace Sgl.Platforms.Installer;

/// <summary>Progress of one package download.</summary>
/// <param name="PackageId">The package id.</param>
/// <param name="Version">The version being downloaded.</param>
/// <param name="BytesReceived">Bytes received so far (feeds do not announce a size up front).</param>
/// <param name="Completed">True once the package is fully downloaded.</param>
public sealed record PackageDownloadProgress(string PackageId, string Version, long BytesReceived, bool Completed);
