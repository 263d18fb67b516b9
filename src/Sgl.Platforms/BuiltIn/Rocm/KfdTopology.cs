using System.Globalization;
using Sgl.Platforms.Probing;

namespace Sgl.Platforms.BuiltIn.Rocm;

/// <summary>
/// The AMD KFD (kernel fusion driver) topology under <c>/sys/class/kfd/kfd/topology/nodes</c>: one node per
/// CPU socket and per GPU, each with a <c>properties</c> file of "key value" lines written by the amdgpu
/// driver (<c>drivers/gpu/drm/amd/amdkfd/kfd_topology.c</c>).
/// </summary>
internal static class KfdTopology
{
    /// <summary>The topology's node folder.</summary>
    public const string NodesPath = "/sys/class/kfd/kfd/topology/nodes";

    /// <summary>The GPU nodes, in node order; CPU-only nodes are left out.</summary>
    /// <param name="system">The system view.</param>
    /// <param name="cancellationToken">Honoured between nodes.</param>
    public static IReadOnlyList<KfdGpuNode> ReadGpuNodes(SystemView system, CancellationToken cancellationToken)
    {
        var nodes = new List<KfdGpuNode>();
        foreach (var dir in system.ListDirectories(NodesPath).OrderBy(NodeNumber))
        {
            cancellationToken.ThrowIfCancellationRequested();
            var properties = ParseProperties(system.ReadText(dir + "/properties"));
            if (!IsGpu(system, dir, properties))
            {
                continue;
            }

            nodes.Add(new KfdGpuNode(
                NodeNumber(dir),
                system.ReadText(dir + "/name")?.Trim() is { Length: > 0 } name ? name : null,
                properties,
                ReadFrameBufferBytes(system, dir)));
        }

        return nodes;
    }

    /// <summary>Parses "key value" lines; lines that are not a name and an unsigned number are skipped.</summary>
    /// <param name="text">The properties file.</param>
    public static IReadOnlyDictionary<string, ulong> ParseProperties(string? text)
    {
        var result = new Dictionary<string, ulong>(StringComparer.Ordinal);
        foreach (var line in (text ?? "").Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            var parts = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
            if (parts.Length == 2 && ulong.TryParse(parts[1], NumberStyles.None, CultureInfo.InvariantCulture, out var value))
            {
                result[parts[0]] = value;
            }
        }

        return result;
    }

    private static bool IsGpu(SystemView system, string nodeDir, IReadOnlyDictionary<string, ulong> properties)
    {
        // gpu_id is 0 for CPU nodes; older or simulated trees may lack it, then SIMDs mark a GPU.
        var gpuId = system.ReadText(nodeDir + "/gpu_id")?.Trim();
        if (!string.IsNullOrEmpty(gpuId) && ulong.TryParse(gpuId, NumberStyles.None, CultureInfo.InvariantCulture, out var id))
        {
            return id != 0;
        }

        return properties.GetValueOrDefault("simd_count") > 0;
    }

    private static long? ReadFrameBufferBytes(SystemView system, string nodeDir)
    {
        // heap_type 1 and 2 are the public and private frame buffer (HSA_HEAPTYPE_FRAME_BUFFER_*); 0 is system memory.
        ulong total = 0;
        foreach (var bank in system.ListDirectories(nodeDir + "/mem_banks"))
        {
            var properties = ParseProperties(system.ReadText(bank + "/properties"));
            if (properties.GetValueOrDefault("heap_type") is 1 or 2)
            {
                total += properties.GetValueOrDefault("size_in_bytes");
            }
        }

        return total > 0 ? checked((long)total) : null;
    }

    private static int NodeNumber(string dir) =>
        int.TryParse(Path.GetFileName(dir), NumberStyles.None, CultureInfo.InvariantCulture, out var n) ? n : int.MaxValue;
}
