namespace Sgl.Platforms.Devices;

/// <summary>The general fallback: every operand gets a host copy; inputs are copied in (constants once), outputs back.</summary>
internal sealed class CopyAllFallback : CpuFallback
{
    private readonly (DeviceBuffer Source, DeviceBuffer Copy, bool Constant)[] _inputs;
    private readonly (DeviceBuffer Copy, DeviceBuffer Destination)[] _outputs;
    private readonly DeviceOperation _hostOperation;
    private bool _constantsCopied;

    public CopyAllFallback(DeviceOperation operation, ComputeDevice host, IReadOnlySet<DeviceBuffer> constants)
        : base(operation, host)
    {
        var copies = new Dictionary<DeviceBuffer, DeviceBuffer>(ReferenceEqualityComparer.Instance);
        foreach (var buffer in operation.Inputs.Concat(operation.Outputs))
        {
            if (!copies.ContainsKey(buffer))
            {
                copies[buffer] = HostBuffer(buffer.ElementType, buffer.Shape);
            }
        }

        _inputs = [.. operation.Inputs.Select(b => (b, copies[b], constants.Contains(b)))];
        _outputs = [.. operation.Outputs.Select(b => (copies[b], b))];
        _hostOperation = OperationRebinder.Rebind(operation, b => copies[b]);
    }

    protected override void RunCore()
    {
        foreach (var (source, copy, constant) in _inputs)
        {
            if (!constant || !_constantsCopied)
            {
                Download(source, copy);
            }
        }

        _constantsCopied = true;
        Host.Execute(_hostOperation);
        foreach (var (copy, destination) in _outputs)
        {
            Upload(copy, destination);
        }
    }
}
