using System.Globalization;
using Sgl.Platforms.Devices;
using Sgl.Platforms.Probing;
using Sgl.Platforms.Serving;
using Sgl.Runtime.Entrypoints;
using Xunit;

namespace Sgl.Platforms.Testing;

/// <summary>The checks of what the runtimes use: attention backends, the KV pool, the device operations and a whole model.</summary>
public abstract partial class PlatformConformanceTests<TPlatform>
{
    private const string TinyPrompt = "The platform is";

    /// <summary>Backend names are unique (ignoring case), non-empty, and every factory builds its backend on the platform's device or says why it cannot.</summary>
    [Fact]
    public void Attention_backend_names_are_unique_and_their_factories_work()
    {
        using var opened = OpenDevice();
        var backends = opened.Platform.GetAttentionBackends();
        if (backends is null)
        {
            Assert.Fail($"{TypeName}.GetAttentionBackends() returned null; return an empty dictionary when the platform offers none.");
            return;
        }

        var problems = new List<string>();
        problems.AddRange(backends.Keys.Where(string.IsNullOrWhiteSpace).Select(_ => "An attention backend has an empty name; name every backend."));
        problems.AddRange(backends.Keys.GroupBy(k => k.Trim(), StringComparer.OrdinalIgnoreCase).Where(g => g.Count() > 1)
            .Select(g => $"Attention backends {string.Join(" and ", g.Select(n => $"'{n}'"))} differ only in case or spacing; users pick backends by name, so make the names distinct."));
        foreach (var (name, factory) in backends)
        {
            if (factory is null)
            {
                problems.Add($"Attention backend '{name}' has a null factory.");
                continue;
            }

            try
            {
                using var backend = factory(new AttentionBackendContext(opened.Device));
                if (backend is null)
                {
                    problems.Add($"The factory of attention backend '{name}' returned null; return the backend or throw NotSupportedException saying what is missing.");
                }
                else if (backend.Name != name)
                {
                    problems.Add($"The factory of attention backend '{name}' built a backend named '{backend.Name}'; IAttentionBackend.Name must be the name it is registered under.");
                }
            }
            catch (NotSupportedException e) when (!string.IsNullOrWhiteSpace(e.Message))
            {
                // Documented as conformant: the platform names a backend it cannot build here and says why.
            }
            catch (Exception e)
            {
                problems.Add($"The factory of attention backend '{name}' threw {e.GetType().Name}: {e.Message} A factory must build the backend, or throw NotSupportedException with a message saying what is missing.");
            }
        }

        FailIfAny(problems);
    }

    /// <summary>A platform that offers attention backends names one of them as its explicit default, and the serving defaults pick one it offers.</summary>
    [Fact]
    public void Default_attention_backend_is_explicit_and_offered()
    {
        var platform = CreatePlatform();
        var offered = platform.GetAttentionBackends();
        var problems = new List<string>();
        var fallback = platform.DefaultAttentionBackend;
        if (offered.Count > 0 && (fallback is null || !offered.ContainsKey(fallback)))
        {
            problems.Add($"DefaultAttentionBackend is {(fallback is null ? "null" : $"'{fallback}'")} but the platform offers {string.Join(", ", offered.Keys.Select(k => $"'{k}'"))}; name one of them, so users get a backend chosen on purpose.");
        }

        if (offered.Count == 0 && fallback is not null)
        {
            problems.Add($"DefaultAttentionBackend is '{fallback}' but GetAttentionBackends offers none; return null, or offer it.");
        }

        var args = new ServerArgs();
        platform.Serving.ApplyServerArgsDefaults(args);
        if (args.AttentionBackend is { } chosen && !offered.ContainsKey(chosen))
        {
            problems.Add($"ApplyServerArgsDefaults picks attention backend '{chosen}', which GetAttentionBackends does not offer; default to one it offers.");
        }

        FailIfAny(problems);
    }

    /// <summary>The KV pool on the platform's device holds exactly the requested number of token slots, with buffers of the contract's shape.</summary>
    [Fact]
    public void Kv_pool_honours_the_requested_capacity()
    {
        using var opened = OpenDevice();
        var request = KvPoolRequest;
        var wanted = request.MaxTokens ?? throw new InvalidOperationException("KvPoolRequest must set MaxTokens for the capacity check.");
        IKvPool pool;
        try
        {
            pool = opened.Platform.Serving.CreateKvPool(opened.Device, request);
        }
        catch (Exception e)
        {
            Assert.Fail($"Serving.CreateKvPool threw {e.GetType().Name}: {e.Message} Create the pool (the contract's KvPool does it on any device).");
            return;
        }

        using (pool)
        {
            var problems = new List<string>();
            if (pool.Capacity != wanted || pool.FreeSlots != wanted)
            {
                problems.Add(string.Create(CultureInfo.InvariantCulture, $"CreateKvPool was asked for MaxTokens = {wanted} but the pool has Capacity {pool.Capacity} and {pool.FreeSlots} free; honour KvPoolRequest.MaxTokens, every slot free."));
            }

            var shape = new TensorShape(wanted, request.TokenWidth);
            for (var layer = 0; layer < request.LayerCount; layer++)
            {
                if (pool.GetKeys(layer).Shape != shape || pool.GetValues(layer).Shape != shape || pool.GetKeys(layer).ElementType != request.ElementType)
                {
                    problems.Add(string.Create(CultureInfo.InvariantCulture, $"Layer {layer}'s key and value buffers must be {shape} {request.ElementType} (one row per slot); they are {pool.GetKeys(layer)} and {pool.GetValues(layer)}."));
                }
            }

            if (problems.Count == 0)
            {
                var slots = new int[wanted];
                pool.Allocate(slots);
                if (slots.Distinct().Count() != wanted || slots.Any(s => s < 0 || s >= wanted))
                {
                    problems.Add(string.Create(CultureInfo.InvariantCulture, $"Allocating all {wanted} slots did not give {wanted} distinct slots in [0, {wanted})."));
                }

                try
                {
                    pool.Allocate(new int[1]);
                    problems.Add("Allocating from a full pool succeeded; throw KvPoolExhaustedException when fewer slots are free than asked.");
                }
                catch (KvPoolExhaustedException)
                {
                    // Expected: the pool is full.
                }
            }

            FailIfAny(problems);
        }
    }

    /// <summary>Every operation the platform declares matches the CPU reference in every element type it declares (<see cref="DeviceConformance"/>).</summary>
    [Fact]
    public void Declared_operations_match_the_cpu_reference()
    {
        using var opened = OpenDevice();
        var capabilities = opened.Platform.Capabilities;
        if (!opened.HasDeviceLayer || capabilities.Operations.Count == 0)
        {
            TestContext.Current.SendDiagnosticMessage($"{TypeName} declares no device operations: every operation runs on the CPU reference.");
            return;
        }

        var results = DeviceConformance.Check(opened.Device, capabilities.Operations, capabilities.ElementTypes, seed: Environment.TickCount);
        FailIfAny(results.Where(r => !r.Passed).Select(r => r.Message).ToList());
    }

    /// <summary>Native addresses, where the device exposes them, are stable and point at the buffer's memory (<see cref="DeviceConformance.CheckNativeAddresses"/>).</summary>
    [Fact]
    public void Native_addresses_if_exposed_are_stable_and_point_at_the_buffers_memory()
    {
        using var opened = OpenDevice();
        if (!opened.HasDeviceLayer)
        {
            TestContext.Current.SendDiagnosticMessage($"{TypeName} has no device layer: it exposes no memory to contributions.");
            return;
        }

        var types = opened.Platform.Capabilities.ElementTypes;
        var type = types.Contains(ElementType.Float32) ? ElementType.Float32 : types.First();
        FailIfAny(DeviceConformance.CheckNativeAddresses(opened.Device, type).ToList());
    }

    /// <summary>The tiny model generates the CPU platform's tokens on this platform (float32), and every operation it does not run is reported as a CPU fallback.</summary>
    [Fact]
    public void Tiny_model_generates_the_cpu_tokens_and_names_every_fallback()
    {
        using var opened = OpenDevice();
        if (!opened.Platform.Capabilities.ElementTypes.Contains(ElementType.Float32))
        {
            Assert.Skip($"{TypeName} does not compute in Float32, so its tokens cannot be compared with the CPU's exactly.");
        }

        var request = new GenerationRequest(TinyPrompt, 16);
        var args = new ServerArgs { DataType = ElementType.Float32, KvCacheDataType = ElementType.Float32, MaxTotalTokens = 64 };
        GenerationResult mine;
        try
        {
            mine = Engine.Generate(args, request, opened.Platform);
        }
        catch (Exception e)
        {
            Assert.Fail($"The serving runtime could not run the tiny model on {TypeName}: {e.GetType().Name}: {e.Message}");
            return;
        }

        var reference = Engine.Generate(new ServerArgs { MaxTotalTokens = 64 }, request, ReferencePlatform());
        var problems = new List<string>();
        if (!mine.OutputTokenIds.SequenceEqual(reference.OutputTokenIds))
        {
            problems.Add($"The tiny model generated [{string.Join(", ", mine.OutputTokenIds)}] on {TypeName} but [{string.Join(", ", reference.OutputTokenIds)}] on the CPU reference; compare each operation with DeviceConformance to find the one that differs.");
        }

        if (opened.HasDeviceLayer)
        {
            var declared = opened.Platform.Capabilities.Operations;
            var expected = mine.Plan.DecodeOperations.Where(o => o.Placement == nameof(PlacementKind.Device) && !declared.Contains(Enum.Parse<OperationKind>(o.Operation))).ToList();
            problems.AddRange(expected.Select(o => $"{o.Operation} ran on the device though the platform does not declare it; declare it in DescribeCapabilities or leave it to the CPU reference."));
            var fellBack = mine.Plan.DecodeOperations.Where(o => o.Placement == nameof(PlacementKind.CpuFallback)).Select(o => o.Operation).ToHashSet();
            var reported = mine.Plan.Fallbacks.Select(f => f.Operation).ToHashSet();
            if (!fellBack.SetEquals(reported))
            {
                problems.Add($"The launch plan places [{string.Join(", ", fellBack)}] on the CPU reference but reports fallback costs for [{string.Join(", ", reported)}].");
            }

            if (fellBack.Count > 0)
            {
                TestContext.Current.SendDiagnosticMessage($"{TypeName} falls back to the CPU reference for: {string.Join(", ", fellBack)}.");
            }
        }
        else
        {
            TestContext.Current.SendDiagnosticMessage($"{TypeName} has no device layer: {mine.Plan.Compute}.");
        }

        FailIfAny(problems);
    }

    /// <summary>The cpu platform, probed on a fake host, as the reference the tokens are compared with.</summary>
    private static BuiltIn.Cpu.CpuPlatform ReferencePlatform()
    {
        using var root = new FakeSystemRoot().WithCpuInfo("reference", 2).WithMemInfo(8L << 30, 4L << 30);
        var cpu = new BuiltIn.Cpu.CpuPlatform();
        cpu.Probe(new ProbeContext(root.View()));
        return cpu;
    }

    /// <summary>The platform probed and its rank-0 device opened: on the vendor's fake machine, or on the real one when <see cref="DeviceNeedsHardware"/>.</summary>
    private OpenedDevice OpenDevice()
    {
        var platform = CreatePlatform();
        if (DeviceNeedsHardware)
        {
            var result = platform.Probe(new ProbeContext(SystemView.Host));
            if (result.Status != ProbeStatus.Available)
            {
                Assert.Skip($"{TypeName} opens its device on the real hardware (DeviceNeedsHardware), and this machine has none: {result.Reason}");
            }
        }
        else
        {
            using var root = new FakeSystemRoot();
            ConfigureDevice(root);
            var result = platform.Probe(new ProbeContext(root.View()));
            if (result.Status != ProbeStatus.Available)
            {
                // Probe_on_the_vendors_device_is_available fails for this, with what to fix; one failure is enough.
                Assert.Skip($"The probe of '{PlatformName}' does not find the device ConfigureDevice describes ({result.Status}: {result.Reason}), so there is no device to check.");
            }
        }

        var device = platform.OpenDevice(0, 0);
        return device is null
            ? new OpenedDevice(platform, HostCompute.OpenDevice(), HasDeviceLayer: false)
            : new OpenedDevice(platform, device, HasDeviceLayer: true);
    }

    /// <summary>The platform under test and the device its checks run on (the host's when it has no device layer).</summary>
    private sealed record OpenedDevice(Platform Platform, ComputeDevice Device, bool HasDeviceLayer) : IDisposable
    {
        public void Dispose() => Device.Dispose();
    }
}
