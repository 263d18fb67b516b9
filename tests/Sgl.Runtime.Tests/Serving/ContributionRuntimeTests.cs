using Sgl.Platforms;
using Sgl.Platforms.Contributions;
using Sgl.Platforms.Devices;
using Sgl.Platforms.Serving;
using Sgl.Runtime.Entrypoints;
using Sgl.Runtime.ServerArgs;
using Sgl.Platforms.Tests.Support;
using Args = Sgl.Platforms.Serving.ServerArgs;

namespace Sgl.Runtime.Tests.Serving;

/// <summary>The runtime uses what contributions add to the platform, in the documented precedence, and says so in the plan.</summary>
public sealed class ContributionRuntimeTests
{
    private static readonly GenerationRequest Request = new("The platform is", 16);

    private static int[] ReferenceTokens()
    {
        using var cpu = new FakeCpu();
        return Engine.Generate(new Args { MaxTotalTokens = 64 }, Request, cpu.Platform).OutputTokenIds.ToArray();
    }

    private static void Contribute(Platform platform, AttentionBackendContribution? attention = null, DeviceOperationsContribution? operations = null, CommunicatorContribution? communicator = null, int priority = 10, string name = "acme") =>
        PlatformContributions.Register(platform, new PlatformContributions(
            attention is null ? [] : [new ContributedPart<AttentionBackendContribution>(name, priority, "Vendor.Acme 1.0.0", attention)],
            operations is null ? [] : [new ContributedPart<DeviceOperationsContribution>(name, priority, "Vendor.Acme 1.0.0", operations)],
            communicator is null ? [] : [new ContributedPart<CommunicatorContribution>(name, priority, "Vendor.Acme 1.0.0", communicator)]));

    [Fact]
    public void A_preferred_attention_contribution_serves_attention_with_the_same_tokens_and_the_plan_names_it()
    {
        using var cpu = new FakeCpu();
        var attention = new CountingAttention();
        Contribute(cpu.Platform, attention);

        var result = Engine.Generate(new Args { MaxTotalTokens = 64 }, Request, cpu.Platform);

        result.OutputTokenIds.Should().Equal(ReferenceTokens());
        attention.Executed.Should().BePositive("the contributed backend ran the attention operations");
        result.Plan.AttentionBackend.Should().Be("acme");
        result.Plan.Contributions.Should().ContainSingle(c => c.Contains("attention backend 'acme' (Vendor.Acme 1.0.0) serves attention"));
    }

    [Fact]
    public void A_preferred_attention_contribution_that_throws_is_left_out_and_the_platforms_own_backend_runs()
    {
        using var cpu = new FakeCpu();
        Contribute(cpu.Platform, new CountingAttention { Failure = "no kernels for this CPU" });

        var result = Engine.Generate(new Args { MaxTotalTokens = 64 }, Request, cpu.Platform);

        result.OutputTokenIds.Should().Equal(ReferenceTokens());
        result.Plan.AttentionBackend.Should().Be("simd");
        result.Plan.Contributions.Should().ContainSingle(c => c.Contains("'acme'") && c.Contains("left out") && c.Contains("no kernels for this CPU"));
    }

    [Fact]
    public void A_gap_filling_attention_contribution_runs_only_when_asked_for_by_name()
    {
        using var byDefault = new FakeCpu();
        var unused = new CountingAttention();
        Contribute(byDefault.Platform, unused, priority: 0);
        Engine.Generate(new Args { MaxTotalTokens = 64 }, Request, byDefault.Platform).Plan.AttentionBackend.Should().Be("simd");
        unused.Executed.Should().Be(0);

        using var asked = new FakeCpu();
        var attention = new CountingAttention();
        Contribute(asked.Platform, attention, priority: 0);
        var result = Engine.Generate(new Args { MaxTotalTokens = 64, AttentionBackend = "acme" }, Request, asked.Platform);

        result.Plan.AttentionBackend.Should().Be("acme");
        attention.Executed.Should().BePositive();
        result.OutputTokenIds.Should().Equal(ReferenceTokens());
    }

    [Fact]
    public void The_user_naming_the_platforms_own_backend_overrides_a_preferred_contribution()
    {
        using var cpu = new FakeCpu();
        var attention = new CountingAttention();
        Contribute(cpu.Platform, attention);

        var result = Engine.Generate(new Args { MaxTotalTokens = 64, AttentionBackend = "simd" }, Request, cpu.Platform);

        result.Plan.AttentionBackend.Should().Be("simd");
        attention.Executed.Should().Be(0);
    }

    [Fact]
    public void A_contribution_asked_for_by_name_that_fails_fails_the_launch_with_its_message()
    {
        using var cpu = new FakeCpu();
        Contribute(cpu.Platform, new CountingAttention { Failure = "no kernels for this CPU" });

        var act = () => Engine.Generate(new Args { MaxTotalTokens = 64, AttentionBackend = "acme" }, Request, cpu.Platform);

        act.Should().Throw<Exception>().WithMessage("*no kernels for this CPU*");
    }

    [Fact]
    public void An_unknown_backend_name_lists_the_contributed_ones_too()
    {
        using var cpu = new FakeCpu();
        Contribute(cpu.Platform, new CountingAttention(), priority: 0);

        var act = () => Engine.Generate(new Args { MaxTotalTokens = 64, AttentionBackend = "flash" }, Request, cpu.Platform);

        act.Should().Throw<InvalidServerArgsException>().WithMessage("*acme*simd*");
    }

    [Fact]
    public void Preferred_device_operations_run_what_they_support_before_the_device_with_the_same_tokens()
    {
        using var cpu = new FakeCpu();
        var operations = new CountingOperations(OperationKind.RmsNorm);
        Contribute(cpu.Platform, operations: operations);

        var result = Engine.Generate(new Args { MaxTotalTokens = 64 }, Request, cpu.Platform);

        result.OutputTokenIds.Should().Equal(ReferenceTokens());
        operations.Opened!.Executed.Should().BePositive();
        operations.Opened.Disposed.Should().BeTrue("the runtime closes what it opened");
        result.Plan.DecodeOperations.Should().Contain(o => o.Operation == "RmsNorm" && o.Placement == "Contribution");
        result.Plan.DecodeOperations.Should().NotContain(o => o.Operation == "MatMul" && o.Placement == "Contribution");
        result.Plan.Contributions.Should().ContainSingle(c => c.Contains("device operations 'acme'") && c.Contains("before the device"));
    }

    [Fact]
    public void Device_operations_that_throw_on_open_are_left_out_and_the_device_runs_everything()
    {
        using var cpu = new FakeCpu();
        Contribute(cpu.Platform, operations: new CountingOperations(OperationKind.RmsNorm) { Failure = "firmware too old" });

        var result = Engine.Generate(new Args { MaxTotalTokens = 64 }, Request, cpu.Platform);

        result.OutputTokenIds.Should().Equal(ReferenceTokens());
        result.Plan.DecodeOperations.Should().NotContain(o => o.Placement == "Contribution");
        result.Plan.Contributions.Should().ContainSingle(c => c.Contains("left out") && c.Contains("firmware too old"));
    }

    [Fact]
    public void A_preferred_communicator_contribution_serves_the_all_reduce_of_every_rank()
    {
        using var cpu = new FakeCpu();
        var communicator = new WrappingCommunicator(cpu.Platform);
        Contribute(cpu.Platform, communicator: communicator);

        var tp2 = Engine.Generate(new Args { MaxTotalTokens = 64, TpSize = 2 }, Request, cpu.Platform);

        tp2.OutputTokenIds.Should().Equal(ReferenceTokens());
        communicator.AllReduces.Should().BePositive();
        tp2.Plan.Communicator.Should().Be("acme-over-inproc");
        tp2.Plan.Contributions.Should().Contain(c => c.Contains("communicator 'acme'") && c.Contains("serves the all-reduce"));
    }

    /// <summary>A vendor's attention backend; it runs attention through the device and counts what it ran.</summary>
    private sealed class CountingAttention : AttentionBackendContribution
    {
        private readonly List<DeviceAttention> _created = [];

        public string? Failure { get; init; }

        public int Executed => _created.Sum(b => b.Executed);

        public override IAttentionBackend CreateBackend(AttentionBackendContext context)
        {
            if (Failure is not null)
            {
                throw new InvalidOperationException(Failure);
            }

            var backend = new DeviceAttention(context.Device, "acme");
            lock (_created)
            {
                _created.Add(backend);
            }

            return backend;
        }
    }

    /// <summary>A vendor's set of device operations for one operation kind, run through the device and counted.</summary>
    private sealed class CountingOperations(OperationKind kind) : DeviceOperationsContribution
    {
        public string? Failure { get; init; }

        public Opened? Opened { get; private set; }

        public override IDeviceOperations? Open(ComputeDevice device) =>
            Failure is null ? Opened = new Opened(kind, device) : throw new InvalidOperationException(Failure);
    }

    private sealed class Opened(OperationKind kind, ComputeDevice device) : IDeviceOperations
    {
        private int _executed;

        public int Executed => _executed;

        public bool Disposed { get; private set; }

        public bool Supports(DeviceOperation operation) => operation.Kind == kind && device.Supports(operation);

        public void Execute(DeviceOperation operation)
        {
            Interlocked.Increment(ref _executed);
            device.Execute(operation);
        }

        public void Dispose() => Disposed = true;
    }

    /// <summary>A vendor's communicator wrapping the platform's own, as a faster all-reduce package would replace it.</summary>
    private sealed class WrappingCommunicator(Platform platform) : CommunicatorContribution
    {
        private int _allReduces;

        public int AllReduces => _allReduces;

        public override IDeviceCommunicator? CreateCommunicator(ComputeDevice device, DeviceCommunicatorContext context) =>
            new Wrapped(this, platform.Serving.CreateCommunicator(device, context)!);

        private sealed class Wrapped(WrappingCommunicator owner, IDeviceCommunicator inner) : IDeviceCommunicator
        {
            public string Backend => "acme-over-" + inner.Backend;

            public int Rank => inner.Rank;

            public int WorldSize => inner.WorldSize;

            public void AllReduce(AllReduceOperation operation)
            {
                Interlocked.Increment(ref owner._allReduces);
                inner.AllReduce(operation);
            }

            public void Dispose() => inner.Dispose();
        }
    }
}
