using System.Globalization;

namespace Sgl.Platforms.BuiltIn;

/// <summary>
/// Lists what a probe found (PCI functions, device nodes, devices) in its reason, bounded: a machine or a
/// fake system root with thousands of functions must not make a reason of megabytes. The devices themselves
/// are in the report; the reason only needs enough to recognise them.
/// </summary>
internal static class EvidenceList
{
    /// <summary>How many items a reason names before it says how many more there are.</summary>
    public const int Shown = 8;

    /// <summary>"a, b, c" or "a, b, … c, and 99,992 more".</summary>
    public static string Join<T>(IReadOnlyCollection<T> items, Func<T, string> describe, string separator = ", ")
    {
        var shown = string.Join(separator, items.Take(Shown).Select(describe));
        return items.Count <= Shown ? shown : string.Create(CultureInfo.InvariantCulture, $"{shown}{separator}and {items.Count - Shown:N0} more");
    }

    /// <inheritdoc cref="Join{T}(IReadOnlyCollection{T}, Func{T, string}, string)"/>
    public static string Join(IReadOnlyCollection<string> items, string separator = ", ") => Join(items, s => s, separator);
}
