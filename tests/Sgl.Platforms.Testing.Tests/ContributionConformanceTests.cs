using Sgl.Platforms.Contributions;
using Sgl.Platforms.Devices;
using Sgl.Platforms.Probing;
using Sgl.Platforms.Tests.Support;

namespace Sgl.Platforms.Testing.Tests;

/// <summary>The conformance kit checks a contribution's parts against the CPU reference, as it checks a platform's device.</summary>
public sealed class ContributionConformanceTests
{
    private static ComputeDevice OpenSimulatedDevice()
    {
        var platform = new SimulatedDevicePlatform();
        platform.Probe(new ProbeContext(new SystemView("/")));
        return platform.OpenDevice(0, 0)!;
    }

    [Fact]
    public void An_attention_backend_that_runs_through_the_device_passes_every_attention_kind()
    {
        using var device = OpenSimulatedDevice();

        var results = DeviceConformance.Check(PassThroughAttention(device), device, [ElementType.Float32, ElementType.BFloat16], seed: 11);

        results.Select(r => r.Operation).Distinct().Should().BeEquivalentTo([OperationKind.PrefillAttention, OperationKind.DecodeAttention, OperationKind.Attention]);
        results.Should().OnlyContain(r => r.Passed, string.Join("\n", results.Select(r => r.Message)));
    }

    [Fact]
    public void An_attention_backend_with_a_wrong_scale_fails_naming_the_operation()
    {
        using var device = OpenSimulatedDevice();

        var results = DeviceConformance.Check(PassThroughAttention(device, wrongScale: true), device, [ElementType.Float32], seed: 11);

        results.Should().Contain(r => !r.Passed && r.Operation == OperationKind.DecodeAttention && r.Message.Contains("exceeds the Float32 tolerance"));
    }

    [Fact]
    public void Device_operations_are_checked_for_exactly_the_kinds_they_support()
    {
        using var device = OpenSimulatedDevice();
        using var operations = new OnlyKinds(device, OperationKind.RmsNorm, OperationKind.SiluMul);

        var results = DeviceConformance.Check(operations, device, [ElementType.Float32], seed: 11);

        results.Select(r => r.Operation).Should().Equal(OperationKind.RmsNorm, OperationKind.SiluMul);
        results.Should().OnlyContain(r => r.Passed);
    }

    [Fact]
    public void Device_operations_that_support_nothing_fail_instead_of_passing_vacuously()
    {
        using var device = OpenSimulatedDevice();
        using var operations = new OnlyKinds(device);

        var result = DeviceConformance.Check(operations, device, [ElementType.Float32], seed: 11).Single();

        result.Passed.Should().BeFalse();
        result.Message.Should().Contain("supports no operation");
    }

    private static DeviceAttention PassThroughAttention(ComputeDevice device, bool wrongScale = false) =>
        new(device, "pass-through", wrongScale
            ? operation => operation is DecodeAttentionOperation decode
                ? new DecodeAttentionOperation(decode.Qkv, decode.Heads, decode.KeyCache, decode.ValueCache, decode.SlotTable, decode.Positions, decode.Output, decode.Scale * 2)
                : operation
            : null);

    private sealed class OnlyKinds(ComputeDevice device, params OperationKind[] kinds) : IDeviceOperations
    {
        public bool Supports(DeviceOperation operation) => kinds.Contains(operation.Kind) && device.Supports(operation);

        public void Execute(DeviceOperation operation) => device.Execute(operation);

        public void Dispose()
        {
        }
    }
}
