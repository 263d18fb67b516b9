using System.Runtime.InteropServices;

namespace Sgl.Platforms.Installer;

/// <summary>
/// The runtime identifiers whose <c>runtimes/&lt;rid&gt;/native/</c> assets fit this machine, most specific first,
/// following .NET's portable RID graph (for example linux-musl-x64, linux-x64, linux-musl, linux, unix, any).
/// </summary>
internal static class RuntimeIdentifierFallbacks
{
    /// <summary>The fallbacks of the runtime this process runs on.</summary>
    public static IReadOnlyList<string> Current { get; } = For(RuntimeInformation.RuntimeIdentifier);

    public static IReadOnlyList<string> For(string rid)
    {
        var chain = new List<string> { rid };
        var dash = rid.LastIndexOf('-');
        if (dash > 0)
        {
            var os = rid[..dash];
            var architecture = rid[(dash + 1)..];
            if (os.StartsWith("linux-", StringComparison.Ordinal))
            {
                chain.Add($"linux-{architecture}"); // linux-musl-x64 also takes linux-x64's assets
            }

            chain.Add(os);
            if (os.StartsWith("linux-", StringComparison.Ordinal))
            {
                chain.Add("linux");
            }
        }

        if (!rid.StartsWith("win", StringComparison.Ordinal))
        {
            chain.Add("unix");
        }

        chain.Add("any");
        return chain.Distinct(StringComparer.Ordinal).ToList();
    }
}
