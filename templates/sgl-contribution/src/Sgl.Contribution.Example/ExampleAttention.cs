#if (!backendNameIsId)
#error The backend name 'exampleid' is not a lowercase id: it must start with a lowercase letter, then lowercase letters, digits, '-' or '_' (at most 64 characters). Run dotnet new sgl-contribution again with --backend <id>.
#endif
#if (!extendsIsId)
#error The platform name 'EXTENDS_PLATFORM' is not a platform id (for example cpu, cuda, musa). Run dotnet new sgl-contribution again with --extends <platform>.
#endif
using System.Composition;
using Sgl.Platforms.Contributions;
using Sgl.Platforms.Devices;

namespace Sgl.Contribution.Example;

/// <summary>
/// Adds the <c>exampleid</c> attention backend to the <c>EXTENDS_PLATFORM</c> platform. The host reads the
/// metadata without loading this assembly, and composes the part only when <c>EXTENDS_PLATFORM</c> is selected.
/// Priority PRIORITY_VALUE: above 0 the backend is the default (users can still pick the platform's own with
/// <c>--attention-backend</c>); 0 or below it runs only when asked for by name.
/// </summary>
[Export(typeof(AttentionBackendContribution))]
[PlatformContribution(ExampleAttention.BackendName, Extends = "EXTENDS_PLATFORM", Priority = PRIORITY_VALUE, Vendor = "Example Vendor")]
public sealed class ExampleAttention : AttentionBackendContribution
{
    /// <summary>The backend's name, as users write it in <c>--attention-backend</c>.</summary>
    public const string BackendName = "exampleid";

    /// <inheritdoc />
    public override IAttentionBackend CreateBackend(AttentionBackendContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        return new ExampleAttentionBackend(context.Device);
    }
}

/// <summary>
/// Paged attention in one pass over the cache with an online softmax (the FlashAttention recurrence: a running
/// maximum, a running sum and a rescaled accumulator), reading the platform's buffers in place through their
/// native addresses. It serves float32 operations whose buffers are in host memory, and declines the rest, which
/// the platform then runs itself. For an accelerator, replace <see cref="Run"/> with a launch of your kernel on
/// <c>device.Queue.NativeHandle</c> over the device addresses.
/// </summary>
internal sealed class ExampleAttentionBackend(ComputeDevice device) : IAttentionBackend
{
    public string Name => ExampleAttention.BackendName;

    public bool Supports(DeviceOperation operation) =>
        operation is PagedAttentionOperation paged
        && ReferenceEquals(paged.Output.Device, device)
        && paged.Qkv.ElementType == ElementType.Float32
        && InHostMemory(paged.Qkv) && InHostMemory(paged.KeyCache) && InHostMemory(paged.ValueCache)
        && InHostMemory(paged.SlotTable) && InHostMemory(paged.Positions) && InHostMemory(paged.Output);

    public void Execute(DeviceOperation operation)
    {
        if (!Supports(operation))
        {
            throw new NotSupportedException($"The {Name} attention backend does not run {operation}: it runs float32 paged attention over host memory.");
        }

        Run((PagedAttentionOperation)operation);
    }

    public void Dispose()
    {
    }

    private static bool InHostMemory(DeviceBuffer buffer) =>
        buffer.TryGetNativeAddress(out var address) && address.Kind == NativeMemoryKind.Host;

    private static unsafe float* Floats(DeviceBuffer buffer) => buffer.TryGetNativeAddress(out var a) ? (float*)a.Address : throw new InvalidOperationException($"{buffer} has no address.");

    private static unsafe int* Ints(DeviceBuffer buffer) => buffer.TryGetNativeAddress(out var a) ? (int*)a.Address : throw new InvalidOperationException($"{buffer} has no address.");

    /// <summary>
    /// Output[r, h] = Σⱼ softmax(Scale · q_h · K[slotⱼ, g])ⱼ · V[slotⱼ, g] over positions 0..Positions[r] of row r's
    /// sequence (docs/contract.md): a position outside the table gives a zero row, a slot outside the cache is skipped.
    /// </summary>
    private static unsafe void Run(PagedAttentionOperation operation)
    {
        var heads = operation.Heads;
        int tokens = operation.Qkv.Shape.Rows, headDim = heads.HeadDim, qkvWidth = heads.QkvWidth, kvWidth = heads.KvWidth;
        int tableRows = operation.SlotTable.Shape.Rows, tableColumns = operation.SlotTable.Shape.Columns, capacity = operation.KeyCache.Shape.Rows;
        var queriesPerKvHead = heads.QueryHeads / heads.KvHeads;
        float* qkv = Floats(operation.Qkv), keys = Floats(operation.KeyCache), values = Floats(operation.ValueCache), output = Floats(operation.Output);
        int* slotTable = Ints(operation.SlotTable), positions = Ints(operation.Positions);
        var accumulator = new float[headDim];
        for (var r = 0; r < tokens; r++)
        {
            var outputRow = new Span<float>(output + (long)r * heads.OutputWidth, heads.OutputWidth);
            outputRow.Clear();
            var position = positions[r];
            if ((uint)position >= (uint)tableColumns)
            {
                continue;
            }

            var slots = slotTable + (long)(tableRows == 1 ? 0 : r) * tableColumns;
            for (var head = 0; head < heads.QueryHeads; head++)
            {
                var query = qkv + (long)r * qkvWidth + head * headDim;
                var kvOffset = head / queriesPerKvHead * headDim;
                float max = float.NegativeInfinity, sum = 0;
                Array.Clear(accumulator);
                for (var j = 0; j <= position; j++)
                {
                    var slot = slots[j];
                    if ((uint)slot >= (uint)capacity)
                    {
                        continue;
                    }

                    var key = keys + (long)slot * kvWidth + kvOffset;
                    var score = 0f;
                    for (var d = 0; d < headDim; d++)
                    {
                        score += query[d] * key[d];
                    }

                    score *= operation.Scale;
                    var newMax = MathF.Max(max, score);
                    var rescale = MathF.Exp(max - newMax);
                    var weight = MathF.Exp(score - newMax);
                    var value = values + (long)slot * kvWidth + kvOffset;
                    for (var d = 0; d < headDim; d++)
                    {
                        accumulator[d] = accumulator[d] * rescale + weight * value[d];
                    }

                    sum = sum * rescale + weight;
                    max = newMax;
                }

                if (sum > 0)
                {
                    var o = outputRow.Slice(head * headDim, headDim);
                    for (var d = 0; d < headDim; d++)
                    {
                        o[d] = accumulator[d] / sum;
                    }
                }
            }
        }
    }
}
