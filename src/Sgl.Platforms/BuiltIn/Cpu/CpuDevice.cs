using System.Globalization;
using Sgl.Platforms.Devices;

namespace Sgl.Platforms.BuiltIn.Cpu;

/// <summary>
/// The host as a compute device: buffers are managed arrays, copies are memory copies, and every operation runs
/// the CPU reference (<see cref="CpuKernels"/>) in float32 as soon as it is enqueued. One instance per rank:
/// its scratch makes an instance single-threaded.
/// </summary>
internal sealed class CpuDevice : ComputeDevice
{
    private float[] _scores = [];
    private float[] _weights = [];

    public CpuDevice(Platform platform, int index, string name)
        : base(platform, index, name)
    {
        Queue = new ImmediateQueue(this);
    }

    /// <inheritdoc />
    public override DeviceQueue Queue { get; }

    /// <summary>Float32 and Int32 operands only: the reference computes in float32 and the cpu platform stores nothing narrower.</summary>
    public override bool Supports(DeviceOperation operation)
    {
        ArgumentNullException.ThrowIfNull(operation);
        if (operation.Kind == OperationKind.AllReduce)
        {
            return false;
        }

        // Indexed loops: enumerating the lists through their interface would allocate on every step.
        var inputs = operation.Inputs;
        for (var i = 0; i < inputs.Count; i++)
        {
            if (inputs[i].ElementType is not (ElementType.Float32 or ElementType.Int32))
            {
                return false;
            }
        }

        var outputs = operation.Outputs;
        for (var i = 0; i < outputs.Count; i++)
        {
            if (outputs[i].ElementType is not (ElementType.Float32 or ElementType.Int32))
            {
                return false;
            }
        }

        return true;
    }

    /// <inheritdoc />
    protected override DeviceBuffer AllocateCore(ElementType elementType, TensorShape shape)
    {
        if (shape.ElementCount > Array.MaxLength)
        {
            throw new DeviceOutOfMemoryException(string.Create(CultureInfo.InvariantCulture,
                $"A host buffer holds at most {Array.MaxLength} elements; {shape} has {shape.ElementCount}.")) { RequestedBytes = shape.ElementCount * ElementTypes.SizeOf(elementType) };
        }

        try
        {
            return new CpuBuffer(this, elementType, shape);
        }
        catch (OutOfMemoryException e)
        {
            throw new DeviceOutOfMemoryException(string.Create(CultureInfo.InvariantCulture,
                $"The host could not allocate {shape} {elementType} ({shape.ElementCount * ElementTypes.SizeOf(elementType)} bytes): {e.Message}"), e)
            {
                RequestedBytes = shape.ElementCount * ElementTypes.SizeOf(elementType),
            };
        }
    }

    /// <inheritdoc />
    protected override void CopyToDeviceCore(ReadOnlySpan<byte> source, DeviceBuffer destination, long byteOffset) =>
        source.CopyTo(CpuBuffer.Bytes(destination)[checked((int)byteOffset)..]);

    /// <inheritdoc />
    protected override void CopyToHostCore(DeviceBuffer source, long byteOffset, Span<byte> destination) =>
        CpuBuffer.Bytes(source).Slice(checked((int)byteOffset), destination.Length).CopyTo(destination);

    /// <inheritdoc />
    protected override void ExecuteCore(DeviceOperation operation)
    {
        switch (operation)
        {
            case EmbeddingGatherOperation o:
                CpuKernels.EmbeddingGather(CpuBuffer.Floats(o.Table), o.Table.Shape.Rows, o.Table.Shape.Columns, CpuBuffer.Ints(o.TokenIds), CpuBuffer.Floats(o.Output));
                break;
            case RmsNormOperation o:
                CpuKernels.RmsNorm(CpuBuffer.Floats(o.Input), CpuBuffer.Floats(o.Weight), CpuBuffer.Floats(o.Output),
                    o.Residual is null ? [] : CpuBuffer.Floats(o.Residual), o.Input.Shape.Rows, o.Input.Shape.Columns, o.Epsilon);
                break;
            case MatMulOperation o:
                CpuKernels.MatMul(CpuBuffer.Floats(o.Input), CpuBuffer.Floats(o.Weight), CpuBuffer.Floats(o.Output), o.Input.Shape.Rows, o.Weight.Shape.Rows, o.Input.Shape.Columns);
                break;
            case RotaryOperation o:
                CpuKernels.Rotary(CpuBuffer.Floats(o.Tensor), o.Tensor.Shape.Rows, o.Tensor.Shape.Columns, CpuBuffer.Ints(o.Positions), CpuBuffer.Floats(o.CosSin), o.CosSin.Shape.Rows, o.HeadDim, o.HeadCount);
                break;
            case SiluMulOperation o:
                CpuKernels.SiluMul(CpuBuffer.Floats(o.GateUp), CpuBuffer.Floats(o.Output), o.Output.Shape.Rows, o.Output.Shape.Columns);
                break;
            case AddOperation o:
                CpuKernels.Add(CpuBuffer.Floats(o.A), CpuBuffer.Floats(o.B), CpuBuffer.Floats(o.Output), o.A.Shape.Rows, o.A.Shape.Columns, o.B.Shape.Rows, o.ScaleA, o.ScaleB);
                break;
            case KvWriteOperation o:
                CpuKernels.KvWrite(CpuBuffer.Floats(o.Qkv), KvLayout.Of(o), CpuBuffer.Floats(o.KeyCache), CpuBuffer.Floats(o.ValueCache), CpuBuffer.Ints(o.SlotTable), CpuBuffer.Ints(o.Positions));
                break;
            case PagedAttentionOperation o:
                EnsureScratch(o.SlotTable.Shape.Columns);
                CpuKernels.PagedAttention(CpuBuffer.Floats(o.Qkv), KvLayout.Of(o), CpuBuffer.Floats(o.KeyCache), CpuBuffer.Floats(o.ValueCache), CpuBuffer.Ints(o.SlotTable),
                    CpuBuffer.Ints(o.Positions), CpuBuffer.Floats(o.Output), o.Scale, _scores, _weights);
                break;
            case AttentionOperation o:
                EnsureScratch(o.Query.Shape.Rows);
                CpuKernels.Attention(CpuBuffer.Floats(o.Query), CpuBuffer.Floats(o.Key), CpuBuffer.Floats(o.Value), CpuBuffer.Floats(o.Output),
                    o.Query.Shape.Rows, o.Query.Shape.Columns, o.HeadDim, o.Scale, _scores, _weights);
                break;
            case ArgmaxOperation o:
                CpuKernels.Argmax(CpuBuffer.Floats(o.Logits), o.Logits.Shape.Rows, o.Logits.Shape.Columns, CpuBuffer.Ints(o.Output));
                break;
            case FillUniformOperation o:
                CpuKernels.FillUniform(CpuBuffer.Floats(o.Output), 0, o.Seed, o.Low, o.High);
                break;
            default:
                throw new OperationNotSupportedException($"The cpu reference has no kernel for {operation}.") { Operation = operation.Kind };
        }
    }

    /// <summary>Sizes the attention scratch to a context once; a decode step then allocates nothing.</summary>
    private void EnsureScratch(int tokens)
    {
        if (tokens > _scores.Length)
        {
            var size = Math.Max(tokens, _scores.Length * 2);
            _scores = new float[size];
            _weights = new float[size];
        }
    }

    /// <summary>Work runs when it is enqueued, so there is never anything to wait for.</summary>
    private sealed class ImmediateQueue(ComputeDevice device) : DeviceQueue(device)
    {
        public override void Synchronize()
        {
        }
    }
}
