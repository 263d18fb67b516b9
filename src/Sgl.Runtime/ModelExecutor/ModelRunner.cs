using System.Diagnostics;
using System.Globalization;
using Sgl.Platforms;
using Sgl.Platforms.Contributions;
using Sgl.Platforms.Devices;
using Sgl.Platforms.Serving;
using Sgl.Runtime.Distributed;
using Sgl.Runtime.Entrypoints;
using Sgl.Runtime.Layers.Attention;
using Sgl.Runtime.Models;
using Args = Sgl.Platforms.Serving.ServerArgs;

namespace Sgl.Runtime.ModelExecutor;

/// <summary>
/// One tensor-parallel rank of the serving runtime. It opens the rank's device (<c>OpenDevice</c>), puts the
/// weights there once, takes the KV pool, attention backend, communicator and graph runner from the platform,
/// and runs the decoder as device programs: activations never leave the device, and per decode step only the
/// position and KV slot go down and the sampled token id comes back.
/// </summary>
internal sealed partial class ModelRunner : IDisposable
{
    private readonly Platform _platform;
    private readonly Args _args;
    private readonly ParallelState _parallel;
    private readonly int _rank;
    private readonly DecoderShard _shard;
    private readonly HostWeights? _hostWeights;
    private readonly int[] _stepInput = new int[1];
    private readonly int[] _tokenOutput = new int[1];
    private readonly Action _enqueueDecode;
    private ComputeDevice? _device;
    private Platform? _compute;
    private DeviceWeights? _weights;
    private IKvPool? _kvPool;
    private IAttentionBackend? _attention;
    private readonly string? _requestedAttentionBackend;
    private IDeviceCommunicator? _communicator;
    private IGraphRunner? _graphRunner;
    private StepBuffers? _prefillBuffers;
    private StepBuffers? _decodeBuffers;
    private DeviceBuffer? _slotTable;
    private DeviceBuffer? _logits;
    private DeviceBuffer? _nextToken;
    private DeviceProgram? _decodeProgram;
    private List<ContributedOperations> _contributedOperations = [];
    private int[] _slots = [];

    public ModelRunner(Platform platform, Args args, ParallelState parallel, int rank, DecoderConfig config, HostWeights? hostWeights, string? requestedAttentionBackend)
    {
        _platform = platform;
        _args = args;
        _requestedAttentionBackend = requestedAttentionBackend;
        _parallel = parallel;
        _rank = rank;
        _shard = new DecoderShard(config, rank, parallel.TpSize);
        _hostWeights = hostWeights;
        // Cached once: a lambda per step would allocate on the decode path.
        _enqueueDecode = () => _decodeProgram!.Run();
        Plan = new LaunchPlan
        {
            Platform = platform.DeviceName,
            Model = config.Name,
            ModelDescription = config.Description,
            TpSize = parallel.TpSize,
            WorkerProcesses = parallel.WorkerRank is not null,
            DistributedBackend = args.DistributedBackend,
            DataType = args.DataType?.ToString(),
        };
    }

    /// <summary>What has been set up so far.</summary>
    public LaunchPlan Plan { get; private set; }

    /// <summary>Sets up the rank in the order a real device needs: device, weights, KV pool, attention, communicator, programs, graph runner.</summary>
    public void Initialize()
    {
        try
        {
            InitializeCore();
        }
        catch (Exception e) when (e is OperationNotSupportedException or NotSupportedException or DeviceOutOfMemoryException)
        {
            throw new PlatformCapabilityException($"Platform '{_platform.DeviceName}' could not set up the model: {e.Message}", e) { PlanSoFar = Plan };
        }
    }

    /// <summary>Greedy generation: prefill the prompt in chunks, then decode until <paramref name="maxNewTokens"/> or end of sequence.</summary>
    public GenerationResult Generate(IReadOnlyList<int> prompt, int maxNewTokens, bool returnPrefillLogits = false)
    {
        var device = _device ?? throw new InvalidOperationException("Initialize the runner first.");
        var config = _shard.Config;
        _slots = new int[prompt.Count + maxNewTokens];
        var output = new int[maxNewTokens];
        var produced = 0;

        try
        {
            return Generate(prompt, maxNewTokens, returnPrefillLogits, device, config, output, ref produced);
        }
        catch (KvPoolExhaustedException e)
        {
            throw new GenerationStoppedException(e.Message, e) { Plan = Plan, PromptTokenIds = prompt, OutputTokenIds = output[..produced] };
        }
    }

    private GenerationResult Generate(IReadOnlyList<int> prompt, int maxNewTokens, bool returnPrefillLogits, ComputeDevice device, DecoderConfig config, int[] output, ref int produced)
    {
        var clock = Stopwatch.StartNew();
        AllocateSlots(0, prompt.Count, produced);
        var next = Prefill(prompt);
        var prefillSeconds = clock.Elapsed.TotalSeconds;
        var prefillLogits = returnPrefillLogits ? DownloadLogits() : null;

        var steps = 0;
        var allocatedBefore = GC.GetAllocatedBytesForCurrentThread();
        var transfersBefore = device.Transfers;
        clock.Restart();
        while (true)
        {
            output[produced++] = next;
            if (next == config.EndOfSequence || produced == maxNewTokens)
            {
                break;
            }

            var position = prompt.Count + produced - 1;
            AllocateSlots(position, 1, produced);
            next = Decode(position);
            steps++;
        }

        var decodeSeconds = clock.Elapsed.TotalSeconds;
        var allocated = GC.GetAllocatedBytesForCurrentThread() - allocatedBefore;
        var crossed = device.Transfers - transfersBefore;
        _kvPool!.Free(_slots.AsSpan(0, prompt.Count + produced - 1));

        var ids = output[..produced];
        Plan = Plan with { Fallbacks = FallbackSummary.Of(_decodeProgram!, steps) };
        return new GenerationResult
        {
            Plan = Plan,
            PromptTokenIds = prompt,
            OutputTokenIds = ids,
            OutputText = ByteTokenizer.Decode(ids),
            PrefillSeconds = prefillSeconds,
            DecodeSeconds = decodeSeconds,
            DecodeSteps = steps,
            DecodeAllocatedBytes = allocated,
            PrefillLogits = prefillLogits,
            DecodeBytesToDevicePerStep = steps == 0 ? 0 : (double)crossed.BytesToDevice / steps,
            DecodeBytesToHostPerStep = steps == 0 ? 0 : (double)crossed.BytesToHost / steps,
        };
    }

    public void Dispose()
    {
        _graphRunner?.Dispose();
        _decodeProgram?.Dispose();
        _communicator?.Dispose();
        _attention?.Dispose();
        foreach (var contributed in _contributedOperations)
        {
            contributed.Operations.Dispose();
        }

        _kvPool?.Dispose();
        _prefillBuffers?.Dispose();
        _decodeBuffers?.Dispose();
        _slotTable?.Dispose();
        _logits?.Dispose();
        _nextToken?.Dispose();
        _weights?.Dispose();
        _device?.Dispose();
    }

    private void InitializeCore()
    {
        var config = _shard.Config;
        var dataType = _args.DataType!.Value;
        var opened = _platform.OpenDevice(_rank, localRank: _rank);
        _device = opened ?? HostCompute.OpenDevice(_rank);
        // A platform without a device layer computes on the host, with the CPU reference's parts.
        _compute = opened is null ? HostCompute.Platform : _platform;
        var device = _device;
        var devices = _platform.Devices;
        Plan = Plan with
        {
            DeviceIndex = device.Index,
            Device = opened is null ? null : device.Name,
            DeviceCapability = opened is null ? null : _platform.GetDeviceCapability(device.Index)?.ToString(),
            Compute = opened is null
                ? $"host CPU: platform '{_platform.DeviceName}' has no device layer, so every operation runs on the CPU reference"
                : device.ToString(),
            VisibleDevices = _platform.DeviceVisibilityEnvironmentVariable is { } variable && Environment.GetEnvironmentVariable(variable) is { } value
                ? $"{variable}={value}"
                : null,
        };
        if (opened is null && devices.Count > device.Index)
        {
            Plan = Plan with { Device = devices[device.Index].Name };
        }

        // Contributed operations are opened first, so the weight fill can run on them too.
        var contributions = new List<string>();
        _contributedOperations = OpenContributedOperations(device, contributions);
        _weights = LoadWeights(device, dataType);
        Plan = Plan with { WeightBytes = _weights.SizeBytes, WeightSource = config.Weights == WeightSource.HostSeeded ? "uploaded once from the host" : "generated on the device" };

        _kvPool = CreateKvPool(device);
        Plan = Plan with { KvPoolLocation = device.ToString(), KvPoolTokens = _kvPool.Capacity, KvPoolBytes = _kvPool.SizeBytes, KvCacheDataType = _kvPool.ElementType.ToString() };

        // On a CPU fallback the user's choice named the platform's backends, not the fallback's.
        var (requested, choice) = _compute == _platform ? (_requestedAttentionBackend, _args.AttentionBackend) : (null, _compute.DefaultAttentionBackend);
        _attention = AttentionRegistry.Create(_compute, requested, choice, device, out var attentionLeftOut);
        contributions.AddRange(attentionLeftOut is null ? [] : [attentionLeftOut]);
        if (PlatformContributions.Of(_compute).AttentionBackends.FirstOrDefault(c => c.Name == _attention?.Name) is { } attentionSource)
        {
            contributions.Add($"attention backend '{attentionSource.Name}' ({attentionSource.Source}) serves attention");
        }
        Plan = Plan with { AttentionBackend = _attention?.Name ?? "none (attention runs on the device's own operations or the CPU reference)" };

        _communicator = _parallel.CreateCommunicator(_compute, device, _rank, contributions);
        Plan = Plan with { Communicator = _communicator?.Backend };

        Plan = Plan with { Contributions = contributions };

        _slotTable = device.Allocate(ElementType.Int32, new TensorShape(1, config.MaxContext));
        _logits = device.Allocate(dataType, new TensorShape(1, config.VocabSize));
        _nextToken = device.Allocate(ElementType.Int32, new TensorShape(1, 1));
        _prefillBuffers = new StepBuffers(device, _shard, dataType, PrefillChunk);
        _decodeBuffers = new StepBuffers(device, _shard, dataType, 1);
        var decodeView = StepView.Of(_decodeBuffers, 1, tokenIds: _nextToken);
        _decodeProgram = Compile(DecoderGraph.Build(_shard, _weights, _kvPool, decodeView, _slotTable, _logits, _nextToken, decode: true));
        Plan = Plan with { DecodeOperations = OperationSummary.Of(_decodeProgram) };

        _graphRunner = CreateGraphRunner(device);
    }

    /// <summary>The contributed operation sets that open on <paramref name="device"/>, most preferred first; one that throws or declines is left out and named.</summary>
    private List<ContributedOperations> OpenContributedOperations(ComputeDevice device, List<string> contributions)
    {
        var opened = new List<ContributedOperations>();
        foreach (var part in PlatformContributions.Of(_compute!).DeviceOperations)
        {
            try
            {
                if (part.Part.Open(device) is { } operations)
                {
                    opened.Add(new ContributedOperations(part.Name, part.IsPreferred, operations));
                    contributions.Add($"device operations '{part.Name}' ({part.Source}) {(part.IsPreferred ? "run what they support before the device" : "fill the device's gaps")}");
                }
                else
                {
                    contributions.Add($"device operations '{part.Name}' ({part.Source}) declined {device}");
                }
            }
            catch (Exception e)
            {
                contributions.Add($"device operations '{part.Name}' ({part.Source}) were left out: {e.Message}");
            }
        }

        return opened;
    }

    /// <summary>The most tokens one prefill step takes: --chunked-prefill-size, at most the context.</summary>
    private int PrefillChunk => Math.Min(_args.ChunkedPrefillSize!.Value, _shard.Config.MaxContext);

    private DeviceWeights LoadWeights(ComputeDevice device, ElementType dataType)
    {
        if (_hostWeights is not null)
        {
            return DeviceWeights.Upload(device, HostShard.Create(_hostWeights, _shard), dataType);
        }

        var weights = DeviceWeights.AllocateForFill(device, _shard, dataType);
        try
        {
            using var fill = Compile(weights.FillOperations(_shard));
            fill.Run();
            device.Queue.Synchronize();
            return weights;
        }
        catch
        {
            weights.Dispose();
            throw;
        }
    }

    private DeviceProgram Compile(IEnumerable<DeviceOperation> operations) =>
        DeviceProgram.Compile(operations, new DeviceProgramOptions(_device!)
        {
            AttentionBackend = _attention,
            Communicator = _communicator,
            ContributedOperations = _contributedOperations,
            Constants = _weights?.All ?? new HashSet<DeviceBuffer>(),
        });

    /// <summary>The platform's graph runner when it can capture this step, else the runtime's eager one; the plan says which and why.</summary>
    private IGraphRunner CreateGraphRunner(ComputeDevice device)
    {
        string? eagerBecause = null;
        if (_args.DisableGraphCapture == true)
        {
            eagerBecause = "graph capture disabled (--disable-graph-capture)";
        }
        else if (!_compute!.Capabilities.GraphCapture)
        {
            eagerBecause = $"platform '{_compute.DeviceName}' has no graph capture";
        }
        else if (_decodeProgram!.FallbackCount > 0)
        {
            eagerBecause = string.Create(CultureInfo.InvariantCulture, $"{_decodeProgram.FallbackCount} operation(s) of the step run on the CPU reference, which a graph cannot hold");
        }
        else if (_compute.Serving.CreateGraphRunner(device) is { } runner)
        {
            // Captured while starting up, as serving runtimes capture their decode graphs, so no token pays for it.
            runner.Capture(1, _enqueueDecode);
            Plan = Plan with { GraphRunner = runner.Name };
            return runner;
        }
        else
        {
            eagerBecause = $"platform '{_compute.DeviceName}' declares graph capture but created no graph runner";
        }

        Plan = Plan with { GraphRunner = $"{EagerGraphRunner.RunnerName} ({eagerBecause})" };
        return new EagerGraphRunner();
    }

    /// <summary>Runs the prompt through the model in chunks; returns the first generated token.</summary>
    private int Prefill(IReadOnlyList<int> prompt)
    {
        var device = _device!;
        var chunk = PrefillChunk;
        var ids = new int[chunk];
        var positions = new int[chunk];
        for (var start = 0; start < prompt.Count; start += chunk)
        {
            var rows = Math.Min(chunk, prompt.Count - start);
            for (var i = 0; i < rows; i++)
            {
                ids[i] = prompt[start + i];
                positions[i] = start + i;
            }

            var view = StepView.Of(_prefillBuffers!, rows);
            device.CopyToDevice<int>(ids.AsSpan(0, rows), view.TokenIds);
            device.CopyToDevice<int>(positions.AsSpan(0, rows), view.Positions);
            using var program = Compile(DecoderGraph.Build(_shard, _weights!, _kvPool!, view, _slotTable!, _logits!, _nextToken!, decode: false));
            program.Run();
        }

        device.CopyToHost<int>(_nextToken!, _tokenOutput);
        return _tokenOutput[0];
    }

    private float[] DownloadLogits()
    {
        var logits = new float[_logits!.ElementCount];
        if (_logits.ElementType == ElementType.Float32)
        {
            _device!.CopyToHost<float>(_logits, logits);
            return logits;
        }

        var bits = new ushort[logits.Length];
        _device!.CopyToHost<ushort>(_logits, bits);
        ElementCodec.Decode(System.Runtime.InteropServices.MemoryMarshal.AsBytes(bits.AsSpan()), logits, _logits.ElementType);
        return logits;
    }

    /// <summary>One decode step at <paramref name="position"/>: 8 bytes down (position, slot), the step on the device, 4 bytes up (the token).</summary>
    private int Decode(int position)
    {
        var device = _device!;
        _stepInput[0] = position;
        device.CopyToDevice<int>(_stepInput, _decodeBuffers!.Positions);
        _graphRunner!.Run(1, _enqueueDecode);
        device.CopyToHost<int>(_nextToken!, _tokenOutput);
        return _tokenOutput[0];
    }
}
