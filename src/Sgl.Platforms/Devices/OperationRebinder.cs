namespace Sgl.Platforms.Devices;

/// <summary>Builds the same operation over other buffers of the same shapes (host copies of a device's operands).</summary>
internal static class OperationRebinder
{
    public static DeviceOperation Rebind(DeviceOperation operation, Func<DeviceBuffer, DeviceBuffer> map) => operation switch
    {
        EmbeddingGatherOperation o => new EmbeddingGatherOperation(map(o.Table), map(o.TokenIds), map(o.Output)),
        RmsNormOperation o => new RmsNormOperation(map(o.Input), map(o.Weight), map(o.Output), o.Epsilon, o.Residual is null ? null : map(o.Residual)),
        MatMulOperation o => new MatMulOperation(map(o.Input), map(o.Weight), map(o.Output)),
        RotaryOperation o => new RotaryOperation(map(o.Tensor), map(o.Positions), map(o.CosSin), o.HeadDim, o.HeadCount),
        SiluMulOperation o => new SiluMulOperation(map(o.GateUp), map(o.Output)),
        AddOperation o => new AddOperation(map(o.A), map(o.B), map(o.Output), o.ScaleA, o.ScaleB),
        AttentionOperation o => new AttentionOperation(map(o.Query), map(o.Key), map(o.Value), map(o.Output), o.HeadDim, o.Scale),
        ArgmaxOperation o => new ArgmaxOperation(map(o.Logits), map(o.Output)),
        KvWriteOperation o => new KvWriteOperation(map(o.Qkv), o.Heads, map(o.KeyCache), map(o.ValueCache), map(o.SlotTable), map(o.Positions)),
        PrefillAttentionOperation o => new PrefillAttentionOperation(map(o.Qkv), o.Heads, map(o.KeyCache), map(o.ValueCache), map(o.SlotTable), map(o.Positions), map(o.Output), o.Scale),
        DecodeAttentionOperation o => new DecodeAttentionOperation(map(o.Qkv), o.Heads, map(o.KeyCache), map(o.ValueCache), map(o.SlotTable), map(o.Positions), map(o.Output), o.Scale),
        FillUniformOperation o => new FillUniformOperation(map(o.Output), o.Seed, o.Low, o.High),
        _ => throw new OperationNotSupportedException($"The CPU reference cannot run {operation} as a copy of its operands.") { Operation = operation.Kind },
    };
}
