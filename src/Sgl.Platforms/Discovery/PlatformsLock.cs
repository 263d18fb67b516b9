using System.Text.Json;

namespace Sgl.Platforms.Discovery;

/// <summary>
/// <c>platforms.lock.json</c> under SGL_PLATFORMS_HOME: what <c>sgl platforms install</c> put there, pinned
/// by SHA-512, so the host can check an installed plugin before it reads a byte of it and
/// <c>sgl platforms restore</c> can reproduce the same set on every node.
/// </summary>
internal sealed class PlatformsLock
{
    public const string FileName = "platforms.lock.json";

    public const int CurrentVersion = 1;

    /// <summary>The lock file format; a reader refuses versions it does not know.</summary>
    public int Version { get; init; } = CurrentVersion;

    public List<LockedPlugin> Plugins { get; init; } = [];

    /// <summary>Reads and checks the lock file of a home, or returns null when there is none.</summary>
    /// <exception cref="InvalidPlatformsLockException">The file exists but is not a lock file this host can trust; the message names each bad field.</exception>
    /// <exception cref="IOException">The file cannot be read.</exception>
    public static PlatformsLock? Read(string platformsHome)
    {
        var path = Path.Combine(platformsHome, FileName);
        // Most machines have no installed plugins: checking first spares every start a thrown exception.
        if (!File.Exists(path))
        {
            return null;
        }

        byte[] bytes;
        try
        {
            bytes = File.ReadAllBytes(path);
        }
        catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException)
        {
            return null;
        }

        PlatformsLock? lockFile;
        try
        {
            lockFile = JsonSerializer.Deserialize(bytes, PlatformsLockJsonContext.Default.PlatformsLock);
        }
        catch (JsonException e)
        {
            throw new InvalidPlatformsLockException(path, [DescribeJsonError(e)], e);
        }

        if (lockFile is null)
        {
            throw new InvalidPlatformsLockException(path, ["the file holds null instead of a lock file"]);
        }

        var problems = PlatformsLockCheck.Problems(lockFile);
        return problems.Count == 0 ? lockFile : throw new InvalidPlatformsLockException(path, problems.Take(5));
    }

    /// <summary>
    /// The folder a locked plugin is extracted to: <c>{home}/{id}/{version}</c>, lowercase like NuGet's global
    /// packages folder. Ids and versions are checked when the lock file is read; this refuses anything that
    /// would still lead outside the home.
    /// </summary>
    /// <exception cref="InvalidPlatformsLockException">The id or version is not a plain name.</exception>
    public static string PluginDirectory(string platformsHome, string id, string version)
    {
        if (!PlatformsLockCheck.IsPackageId(id) || !PlatformsLockCheck.IsVersion(version))
        {
            throw new InvalidPlatformsLockException(Path.Combine(platformsHome, FileName),
                [$"the entry '{id}' '{version}' does not name a folder inside the plugins home, so the file was damaged or tampered with"]);
        }

        return Path.Combine(platformsHome, id.ToLowerInvariant(), version.ToLowerInvariant());
    }

    /// <summary>A plugin folder relative to the home ('/'-separated), as the installer's journal records it.</summary>
    public static string RelativePluginDirectory(string id, string version) => $"{id.ToLowerInvariant()}/{version.ToLowerInvariant()}";

    private static string DescribeJsonError(JsonException e)
    {
        var field = string.IsNullOrEmpty(e.Path) || e.Path == "$" ? "the document" : e.Path.StartsWith("$.", StringComparison.Ordinal) ? e.Path[2..] : e.Path;
        var message = e.Message;
        var cut = message.IndexOf(" Path: ", StringComparison.Ordinal);
        return $"{field}: {(cut > 0 ? message[..cut] : message).TrimEnd('.')}";
    }
}

/// <summary>One installed plugin package with everything it brought.</summary>
internal sealed class LockedPlugin
{
    public required string Id { get; init; }

    /// <summary>The normalized NuGet version.</summary>
    public required string Version { get; init; }

    /// <summary>The package source it came from (the NuGet.config source's URL or folder).</summary>
    public required string Source { get; init; }

    /// <summary>Base64 SHA-512 of the .nupkg, as NuGet's own lock files record it.</summary>
    public required string Sha512 { get; init; }

    /// <summary>The lib folder's target framework that was extracted (for example net10.0).</summary>
    public required string Framework { get; init; }

    /// <summary>The platform names the plugin exports, so a refused plugin is reported by the name users know.</summary>
    public List<string> Platforms { get; init; } = [];

    /// <summary>The plugin's own assemblies that export a Platform, relative to its folder.</summary>
    public List<string> Assemblies { get; init; } = [];

    /// <summary>The packages it depends on, extracted into the same folder.</summary>
    public List<LockedPackage> Dependencies { get; init; } = [];

    /// <summary>Every file in the plugin folder with its SHA-512; nothing else may be there.</summary>
    public List<LockedFile> Files { get; init; } = [];

    /// <summary>
    /// What the plugin's assemblies declare, read by the installer from the verified bytes: each platform's name, kind,
    /// priority, contract and hardware rules. A start matches the rules without verifying or opening a plugin whose
    /// hardware is absent; where it does open the assembly and they disagree, the assembly wins and the row says so.
    /// Null in lock files written before the index existed.
    /// </summary>
    public List<LockedPlatform>? Index { get; init; }
}

/// <summary>One platform export of an installed plugin, as its assembly declares it.</summary>
internal sealed class LockedPlatform
{
    public required string Name { get; init; }

    /// <summary>The <see cref="PlatformEnum"/> name.</summary>
    public required string Kind { get; init; }

    public int Priority { get; init; }

    /// <summary>The Sgl.Platforms.Abstractions version the assembly was compiled against.</summary>
    public string? Contract { get; init; }

    /// <summary>The assembly that exports it, relative to the plugin folder (one of <see cref="LockedPlugin.Assemblies"/>).</summary>
    public required string Assembly { get; init; }

    /// <summary>Its <c>[HardwareMatch]</c> rules; empty when it declares none (it is always opened and probed).</summary>
    public List<LockedRule> Match { get; init; } = [];
}

/// <summary>A <c>[HardwareMatch]</c> rule in the lock file's index.</summary>
internal sealed class LockedRule
{
    public ushort? PciVendor { get; init; }

    public List<ushort> PciDevices { get; init; } = [];

    public List<ushort> PciClasses { get; init; } = [];

    public List<string> DeviceNodes { get; init; } = [];

    public List<string> KernelDrivers { get; init; } = [];

    public static LockedRule From(Matching.HardwareRule rule) => new()
    {
        PciVendor = rule.PciVendor,
        PciDevices = [.. rule.PciDevices],
        PciClasses = [.. rule.PciClasses],
        DeviceNodes = [.. rule.DeviceNodes],
        KernelDrivers = [.. rule.KernelDrivers],
    };

    public Matching.HardwareRule ToRule() => new(PciVendor)
    {
        PciDevices = PciDevices ?? [],
        PciClasses = PciClasses ?? [],
        DeviceNodes = DeviceNodes ?? [],
        KernelDrivers = KernelDrivers ?? [],
    };
}

/// <summary>A dependency package of an installed plugin.</summary>
internal sealed class LockedPackage
{
    public required string Id { get; init; }

    public required string Version { get; init; }

    public required string Source { get; init; }

    public required string Sha512 { get; init; }
}

/// <summary>One extracted file: its path relative to the plugin folder ('/'-separated) and base64 SHA-512.</summary>
internal sealed class LockedFile
{
    public required string Path { get; init; }

    public required string Sha512 { get; init; }
}
