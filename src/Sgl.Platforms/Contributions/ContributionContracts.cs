namespace Sgl.Platforms.Contributions;

/// <summary>The contribution contract types, by the names metadata spells them in <c>[Export(typeof(...))]</c>.</summary>
internal static class ContributionContracts
{
    private static readonly (Type Contract, ContributionKind Kind)[] All =
    [
        (typeof(AttentionBackendContribution), ContributionKind.AttentionBackend),
        (typeof(DeviceOperationsContribution), ContributionKind.DeviceOperations),
        (typeof(CommunicatorContribution), ContributionKind.Communicator),
    ];

    /// <summary>The kind a serialized type name (<c>Namespace.Type</c> or <c>Namespace.Type, Assembly...</c>) exports; null for other types.</summary>
    public static ContributionKind? KindOf(string serializedTypeName)
    {
        foreach (var (contract, kind) in All)
        {
            var name = contract.FullName!;
            if (serializedTypeName == name || serializedTypeName.StartsWith(name + ",", StringComparison.Ordinal))
            {
                return kind;
            }
        }

        return null;
    }

    public static Type TypeOf(ContributionKind kind) => All.Single(c => c.Kind == kind).Contract;
}
