using System.Reflection;
using Sgl.Platforms.BuiltIn;

namespace Sgl.Platforms.Tests.Performance;

/// <summary>Discovery takes the built-ins' metadata from a table rather than reflection; the table must say what the attributes say.</summary>
public sealed class BuiltInMetadataTests
{
    [Fact]
    public void The_built_in_metadata_table_matches_every_built_ins_attribute()
    {
        foreach (var type in BuiltInPlatforms.Types)
        {
            var attribute = type.GetCustomAttribute<PlatformMetadataAttribute>()!;
            BuiltInPlatforms.MetadataOf(type).Should().BeEquivalentTo(
                new PlatformMetadata { Name = attribute.Name, Kind = attribute.Kind, Priority = attribute.Priority, Vendor = attribute.Vendor }, type.Name);
        }
    }
}
