namespace Sgl.Platforms.Discovery;

/// <summary>
/// Checks a deserialized <c>platforms.lock.json</c> field by field. Every value that becomes a path (ids,
/// versions, file paths) must be a plain name that stays inside the plugins home; anything else is damage
/// or tampering, reported with the field's JSON path (for example <c>plugins[0].files[1].path</c>).
/// </summary>
internal static class PlatformsLockCheck
{
    private const string Tampered = "; as a path it would lead outside the plugins home, so the file was damaged or tampered with";

    /// <summary>What is wrong with <paramref name="lockFile"/>; empty when every field is usable.</summary>
    public static List<string> Problems(PlatformsLock lockFile)
    {
        var problems = new List<string>();
        if (lockFile.Version != PlatformsLock.CurrentVersion)
        {
            problems.Add($"version is {lockFile.Version}, and this host reads version {PlatformsLock.CurrentVersion}");
        }

        if (lockFile.Plugins is null)
        {
            problems.Add("plugins is missing or null");
            return problems;
        }

        var ids = new Dictionary<string, int>(StringComparer.OrdinalIgnoreCase);
        for (var i = 0; i < lockFile.Plugins.Count; i++)
        {
            var at = $"plugins[{i}]";
            if (lockFile.Plugins[i] is not { } plugin)
            {
                problems.Add($"{at} is null");
                continue;
            }

            CheckPlugin(plugin, at, problems);
            if (plugin.Id is { } id && IsPackageId(id) && !ids.TryAdd(id, i))
            {
                problems.Add($"{at}.id '{id}' is listed twice (also plugins[{ids[id]}])");
            }
        }

        return problems;
    }

    /// <summary>A NuGet package id: letters, digits and '_', joined by single '.' or '-', at most 100 characters.</summary>
    public static bool IsPackageId(string? value) =>
        value is { Length: > 0 and <= 100 } && value.Split('.', '-').All(part => part.Length > 0 && part.All(c => char.IsAsciiLetterOrDigit(c) || c == '_'));

    /// <summary>A normalized NuGet version: two to four numbers, then an optional SemVer 2 '-prerelease' and '+metadata'.</summary>
    public static bool IsVersion(string? value)
    {
        if (value is not { Length: > 0 and <= 64 })
        {
            return false;
        }

        var plus = value.IndexOf('+', StringComparison.Ordinal);
        var core = plus < 0 ? value : value[..plus];
        var dash = core.IndexOf('-', StringComparison.Ordinal);
        var numbers = (dash < 0 ? core : core[..dash]).Split('.');
        return numbers.Length is >= 2 and <= 4 && numbers.All(n => n.Length > 0 && n.All(char.IsAsciiDigit))
            && (dash < 0 || IsDottedLabel(core[(dash + 1)..]))
            && (plus < 0 || IsDottedLabel(value[(plus + 1)..]));
    }

    /// <summary>A '/'-separated relative path that stays inside its folder.</summary>
    public static bool IsSafeRelativePath(string? path) =>
        path is { Length: > 0 and <= 1024 } && !path.StartsWith('/') && !path.Contains('\\', StringComparison.Ordinal) && !path.Contains('\0', StringComparison.Ordinal)
        && !Path.IsPathRooted(path) && path.Split('/').All(segment => segment.Length > 0 && segment is not "." and not "..");

    private static void CheckPlugin(LockedPlugin plugin, string at, List<string> problems)
    {
        CheckPackage(plugin.Id, plugin.Version, plugin.Source, plugin.Sha512, at, problems);
        if (plugin.Framework is not { Length: >= 2 and <= 31 } framework || !char.IsAsciiLetterLower(framework[0])
            || !framework.All(c => char.IsAsciiLetterLower(c) || char.IsAsciiDigit(c) || c == '.'))
        {
            problems.Add($"{at}.framework {Show(plugin.Framework)} is not a target framework such as net10.0");
        }

        CheckList(plugin.Platforms, $"{at}.platforms", problems, (name, where) =>
        {
            if (!PlatformSettings.IsValidName(name))
            {
                problems.Add($"{where} {Show(name)} is not a platform name (a lowercase id)");
            }
        });

        var files = new Dictionary<string, int>(StringComparer.OrdinalIgnoreCase);
        CheckList(plugin.Files, $"{at}.files", problems, (file, where) =>
        {
            if (!IsSafeRelativePath(file.Path))
            {
                problems.Add($"{where}.path {Show(file.Path)} is not a relative path inside the plugin folder{Tampered}");
            }
            else if (!files.TryAdd(file.Path, files.Count))
            {
                problems.Add($"{where}.path '{file.Path}' is listed twice");
            }

            CheckSha512(file.Sha512, $"{where}.sha512", problems);
        });

        CheckList(plugin.Assemblies, $"{at}.assemblies", problems, (assembly, where) =>
        {
            if (!IsSafeRelativePath(assembly))
            {
                problems.Add($"{where} {Show(assembly)} is not a relative path inside the plugin folder{Tampered}");
            }
            else if (!files.ContainsKey(assembly))
            {
                problems.Add($"{where} '{assembly}' is not one of the plugin's files");
            }
        });

        var dependencies = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        CheckList(plugin.Dependencies, $"{at}.dependencies", problems, (dependency, where) =>
        {
            CheckPackage(dependency.Id, dependency.Version, dependency.Source, dependency.Sha512, where, problems);
            if (dependency.Id is { } id && !dependencies.Add(id))
            {
                problems.Add($"{where}.id '{id}' is listed twice");
            }
        });
    }

    private static void CheckPackage(string? id, string? version, string? source, string? sha512, string at, List<string> problems)
    {
        if (!IsPackageId(id))
        {
            problems.Add($"{at}.id {Show(id)} is not a NuGet package id{(Escapes(id) ? Tampered : "")}");
        }

        if (!IsVersion(version))
        {
            problems.Add($"{at}.version {Show(version)} is not a NuGet version such as 1.2.0{(Escapes(version) ? Tampered : "")}");
        }

        if (string.IsNullOrWhiteSpace(source))
        {
            problems.Add($"{at}.source is missing or empty");
        }

        CheckSha512(sha512, $"{at}.sha512", problems);
    }

    private static void CheckSha512(string? value, string at, List<string> problems)
    {
        Span<byte> hash = stackalloc byte[96];
        if (value is null || !Convert.TryFromBase64String(value, hash, out var length) || length != 64)
        {
            problems.Add($"{at} {Show(value)} is not a base64 SHA-512 hash");
        }
    }

    private static void CheckList<T>(List<T>? items, string at, List<string> problems, Action<T, string> check)
    {
        if (items is null)
        {
            problems.Add($"{at} is missing or null");
            return;
        }

        for (var i = 0; i < items.Count; i++)
        {
            if (items[i] is { } item)
            {
                check(item, $"{at}[{i}]");
            }
            else
            {
                problems.Add($"{at}[{i}] is null");
            }
        }
    }

    /// <summary>SemVer identifiers: letters, digits and '-', separated by single dots.</summary>
    private static bool IsDottedLabel(string value) =>
        value.Split('.').All(part => part.Length > 0 && part.All(c => char.IsAsciiLetterOrDigit(c) || c == '-'));

    private static bool Escapes(string? value) => value is not null && (value.Contains('/', StringComparison.Ordinal) || value.Contains('\\', StringComparison.Ordinal) || value.Contains("..", StringComparison.Ordinal));

    private static string Show(string? value) => value is null ? "(null)" : value.Length > 80 ? $"'{value[..80]}…'" : $"'{value}'";
}
