namespace Sgl.Platforms.Discovery;

/// <summary>
/// The contract-version rule for every plugin part, platform or contribution: the same major as the host's contract,
/// and a minor no newer than it (a part built against 1.2 may use members a 1.1 host lacks).
/// </summary>
internal static class ContractCompatibility
{
    public static Version HostContract { get; } = typeof(Platform).Assembly.GetName().Version!;

    /// <summary>Why <paramref name="owner"/>, built against <paramref name="built"/>, cannot run on this host; null when it can.</summary>
    public static string? Check(Version? built, string owner, string part)
    {
        if (built is null)
        {
            return $"{owner} does not reference Sgl.Platforms.Abstractions, so its {part} type cannot be the host's.";
        }

        if (built.Major != HostContract.Major)
        {
            return $"{owner} was built against Sgl.Platforms.Abstractions {built} but this host provides {HostContract}; " +
                $"install a version of the plugin built for contract {HostContract.Major}.x.";
        }

        if (built.Minor > HostContract.Minor)
        {
            return $"{owner} was built against Sgl.Platforms.Abstractions {built}, newer than this host's {HostContract}; " +
                $"update the host (Sgl.Platforms) to contract {built.Major}.{built.Minor}, or install a version of the plugin built for {HostContract.Major}.{HostContract.Minor}.";
        }

        return null;
    }
}
