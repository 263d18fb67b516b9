using System.Globalization;
using System.Text;

namespace Sgl.Platforms.Devices;

/// <summary>
/// One operation of the device layer over device buffers. The contract defines the set (one sealed class per
/// <see cref="OperationKind"/>); each checks its operands' shapes, element types and devices when it is
/// constructed, so a platform only ever receives consistent operations. An operation is built once and may be
/// executed many times (a decode step reuses the same objects), so executing it allocates nothing.
/// </summary>
/// <remarks>Semantics, tolerances and the CPU reference are in docs/contract.md.</remarks>
public abstract class DeviceOperation
{
    private (string Name, DeviceBuffer Buffer)[] _operands = [];
    private DeviceBuffer[] _inputs = [];
    private DeviceBuffer[] _outputs = [];

    private protected DeviceOperation()
    {
    }

    /// <summary>The operation's kind.</summary>
    public abstract OperationKind Kind { get; }

    /// <summary>The buffers the operation reads.</summary>
    public IReadOnlyList<DeviceBuffer> Inputs => _inputs;

    /// <summary>The buffers the operation writes; a buffer updated in place is in both lists.</summary>
    public IReadOnlyList<DeviceBuffer> Outputs => _outputs;

    /// <summary>The device every operand belongs to.</summary>
    public ComputeDevice Device => _operands[0].Buffer.Device;

    /// <summary>The kind and every operand with its shape, for example <c>MatMul(Input [1, 64] Float32, …)</c>.</summary>
    public override string ToString()
    {
        var text = new StringBuilder(Kind.ToString()).Append('(');
        for (var i = 0; i < _operands.Length; i++)
        {
            text.Append(i == 0 ? "" : ", ").Append(_operands[i].Name).Append(' ').Append(_operands[i].Buffer);
        }

        return text.Append(')').ToString();
    }

    /// <summary>Checks that every operand is a live buffer of <paramref name="device"/>.</summary>
    internal void CheckBuffersBelongTo(ComputeDevice device)
    {
        foreach (var (name, buffer) in _operands)
        {
            if (!ReferenceEquals(buffer.Device, device))
            {
                throw new TensorShapeException($"{this}: {name} belongs to device '{buffer.Device}', not '{device}'.");
            }

            ObjectDisposedException.ThrowIf(buffer.IsDisposed, buffer);
        }
    }

    /// <summary>Records the operands (for messages and for <see cref="Inputs"/>/<see cref="Outputs"/>) and checks they share one device.</summary>
    /// <param name="inputs">Operands read, by name.</param>
    /// <param name="outputs">Operands written, by name (an in-place operand appears in both).</param>
    private protected void SetOperands((string Name, DeviceBuffer? Buffer)[] inputs, (string Name, DeviceBuffer? Buffer)[] outputs)
    {
        var operands = new List<(string, DeviceBuffer)>();
        foreach (var (name, buffer) in inputs.Concat(outputs))
        {
            if (buffer is not null && !operands.Exists(o => o.Item2 == buffer && o.Item1 == name))
            {
                operands.Add((name, buffer));
            }
        }

        _operands = [.. operands];
        _inputs = [.. inputs.Where(o => o.Buffer is not null).Select(o => o.Buffer!).Distinct()];
        _outputs = [.. outputs.Where(o => o.Buffer is not null).Select(o => o.Buffer!).Distinct()];
        var device = _operands[0].Buffer.Device;
        foreach (var (name, buffer) in _operands)
        {
            Require(ReferenceEquals(buffer.Device, device), $"{name} is on device '{buffer.Device}' but {_operands[0].Name} is on '{device}'; every operand must be on one device.");
        }
    }

    /// <summary>Throws <see cref="TensorShapeException"/> naming the operation and its operands unless <paramref name="condition"/> holds.</summary>
    private protected void Require(bool condition, string problem)
    {
        if (!condition)
        {
            throw new TensorShapeException($"{this}: {problem}");
        }
    }

    private protected void RequireShape(DeviceBuffer buffer, string name, int rows, int columns) =>
        Require(buffer.Shape.Rows == rows && buffer.Shape.Columns == columns,
            string.Create(CultureInfo.InvariantCulture, $"{name} must be [{rows}, {columns}] but is {buffer.Shape}."));

    private protected void RequireType(DeviceBuffer buffer, string name, ElementType elementType) =>
        Require(buffer.ElementType == elementType, $"{name} must be {elementType} but is {buffer.ElementType}.");

    private protected void RequireFloatingPoint(DeviceBuffer buffer, string name) =>
        Require(ElementTypes.IsFloatingPoint(buffer.ElementType), $"{name} must be a floating-point type (Float32, Float16 or BFloat16) but is {buffer.ElementType}.");

    private protected void RequireSameType(DeviceBuffer buffer, string name, DeviceBuffer reference, string referenceName) =>
        Require(buffer.ElementType == reference.ElementType, $"{name} is {buffer.ElementType} but {referenceName} is {reference.ElementType}; they must match.");

    private protected static T NotNull<T>(T? value, string name)
        where T : class => value ?? throw new ArgumentNullException(name);
}
