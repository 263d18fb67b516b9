using System.Diagnostics;
using System.Numerics.Tensors;
using Sgl.Platforms;
using Sgl.Platforms.ExtensionPoints;
using Sgl.Runtime.Distributed;
using Sgl.Runtime.Entrypoints;
using Sgl.Runtime.Layers.Attention;
using Sgl.Runtime.Models.TinyModel;
using Args = Sgl.Platforms.ExtensionPoints.ServerArgs;

namespace Sgl.Runtime.ModelExecutor;

/// <summary>
/// One tensor-parallel rank of the serving runtime: initialises its device (<c>InitializeDevice</c>),
/// takes the platform's graph runner (<c>GetGraphRunnerType</c>), KV pool and attention backend, and runs
/// the tiny model's prefill and decode. All activation buffers are allocated once, so decode steps
/// allocate nothing.
/// </summary>
internal sealed partial class ModelRunner : IDisposable
{
    private readonly Platform _platform;
    private readonly Args _args;
    private readonly ParallelState _parallel;
    private readonly int _rank;
    private readonly TinyModelShard _shard;
    private readonly Func<int> _decodeStep;
    private IGraphRunner? _graphRunner;
    private IKvPool? _kvPool;
    private IAttentionBackend? _attention;
    private IDeviceCommunicator? _communicator;

    private readonly float[] _x;
    private readonly float[] _normed;
    private readonly float[] _q;
    private readonly float[] _k;
    private readonly float[] _v;
    private readonly float[] _attended;
    private readonly float[] _residual;
    private readonly float[] _gate;
    private readonly float[] _up;
    private readonly float[] _activated;
    private readonly float[] _logits;
    private readonly float[] _cos;
    private readonly float[] _sin;
    private int[] _slots = [];
    private int _stepToken;
    private int _stepPosition;

    public ModelRunner(Platform platform, Args args, ParallelState parallel, int rank, TinyModelWeights weights)
    {
        _platform = platform;
        _args = args;
        _parallel = parallel;
        _rank = rank;
        _shard = TinyModelShard.Create(weights, rank, parallel.TpSize);
        var config = _shard.Config;
        _x = new float[config.HiddenSize];
        _normed = new float[config.HiddenSize];
        _q = new float[_shard.LocalWidth];
        _k = new float[_shard.LocalWidth];
        _v = new float[_shard.LocalWidth];
        _attended = new float[_shard.LocalWidth];
        _residual = new float[config.HiddenSize];
        _gate = new float[_shard.LocalIntermediate];
        _up = new float[_shard.LocalIntermediate];
        _activated = new float[_shard.LocalIntermediate];
        _logits = new float[config.VocabSize];
        _cos = new float[config.HeadDim / 2];
        _sin = new float[config.HeadDim / 2];
        // Cached once: a lambda per step would allocate on the decode path.
        _decodeStep = () => Forward(_stepToken, _stepPosition);
        Plan = new LaunchPlan { Platform = platform.DeviceName, Model = args.ModelPath!, TpSize = parallel.TpSize, DistributedBackend = args.DistributedBackend };
    }

    /// <summary>What has been set up so far.</summary>
    public LaunchPlan Plan { get; private set; }

    /// <summary>Sets up the rank in the order a real device needs: device, graph runner, KV pool, attention, communicator.</summary>
    public void Initialize()
    {
        var localRank = _rank;
        _platform.InitializeDevice(_rank, localRank);
        var deviceIndex = _platform.GetDeviceIndex(localRank);
        var devices = _platform.Devices;
        Plan = Plan with { DeviceIndex = deviceIndex, Device = deviceIndex < devices.Count ? devices[deviceIndex].Name : null };

        _graphRunner = CreateGraphRunner();
        Plan = Plan with { GraphRunner = _graphRunner.Name };

        _kvPool = CreateKvPool(deviceIndex);
        Plan = Plan with { KvPoolLocation = _kvPool.Location, KvPoolTokens = _kvPool.Capacity, KvPoolBytes = _kvPool.SizeBytes };

        try
        {
            var context = new AttentionBackendContext(_kvPool, _shard.LocalHeads, _shard.LocalHeads, _shard.Config.HeadDim);
            _attention = AttentionRegistry.Create(_platform, _args.AttentionBackend, context);
        }
        catch (PlatformCapabilityException e)
        {
            throw new PlatformCapabilityException(e.Message, e) { PlanSoFar = Plan };
        }

        Plan = Plan with { AttentionBackend = _attention.Name };

        _communicator = _parallel.CreateCommunicator(_rank);
        Plan = Plan with { Communicator = _communicator?.Backend };
    }

    /// <summary>Greedy generation: prefill the prompt, then decode until <paramref name="maxNewTokens"/> or end of sequence.</summary>
    public GenerationResult Generate(IReadOnlyList<int> prompt, int maxNewTokens)
    {
        if (_kvPool is null)
        {
            throw new InvalidOperationException("Initialize the runner first.");
        }

        _slots = new int[prompt.Count + maxNewTokens];
        var output = new int[maxNewTokens];
        var produced = 0;

        var clock = Stopwatch.StartNew();
        AllocateSlots(_slots.AsSpan(0, prompt.Count), produced);
        var next = _graphRunner!.Run(1, () =>
        {
            var token = 0;
            for (var position = 0; position < prompt.Count; position++)
            {
                token = Forward(prompt[position], position);
            }

            return token;
        });
        var prefillSeconds = clock.Elapsed.TotalSeconds;

        var steps = 0;
        var allocatedBefore = GC.GetAllocatedBytesForCurrentThread();
        clock.Restart();
        while (true)
        {
            output[produced++] = next;
            if (next == ByteTokenizer.EndOfSequence || produced == maxNewTokens)
            {
                break;
            }

            _stepPosition = prompt.Count + produced - 1;
            AllocateSlots(_slots.AsSpan(_stepPosition, 1), produced);
            _stepToken = next;
            next = _graphRunner.Run(1, _decodeStep);
            steps++;
        }

        var decodeSeconds = clock.Elapsed.TotalSeconds;
        var allocated = GC.GetAllocatedBytesForCurrentThread() - allocatedBefore;
        _kvPool.Free(_slots.AsSpan(0, prompt.Count + produced - 1));

        var ids = output[..produced];
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
        };
    }

    public void Dispose()
    {
        _communicator?.Dispose();
        _kvPool?.Dispose();
    }

    private IGraphRunner CreateGraphRunner()
    {
        // --disable-cuda-graph means the runtime's eager runner, whatever the platform offers.
        var type = _args.DisableCudaGraph == true ? null : _platform.GetGraphRunnerType();
        if (type is null)
        {
            return new EagerGraphRunner();
        }

        return Activator.CreateInstance(type) as IGraphRunner
            ?? throw new InvalidOperationException($"Platform '{_platform.DeviceName}' returned graph runner type {type.FullName}, which does not implement {nameof(IGraphRunner)}.");
    }

    /// <summary>Runs one token at <paramref name="position"/> through the model, caching its keys and values; returns the greedy next token.</summary>
    private int Forward(int token, int position)
    {
        var config = _shard.Config;
        var hidden = config.HiddenSize;
        var slot = _slots[position];
        _shard.Embedding.AsSpan(token * hidden, hidden).CopyTo(_x);
        SetRotation(position);

        for (var layer = 0; layer < _shard.Layers.Count; layer++)
        {
            var w = _shard.Layers[layer];

            RmsNorm(_x, w.AttentionNorm, _normed);
            MatVec(w.Query, _normed, _q);
            MatVec(w.Key, _normed, _k);
            MatVec(w.Value, _normed, _v);
            Rotate(_q);
            Rotate(_k);
            _kvPool!.Write(layer, slot, _k, _v);
            _attention!.Attend(layer, _q, _slots.AsSpan(0, position + 1), _attended);
            MatVec(w.Output, _attended, _residual);
            AllReduce(_residual);
            TensorPrimitives.Add(_x, _residual, _x);

            RmsNorm(_x, w.MlpNorm, _normed);
            MatVec(w.Gate, _normed, _gate);
            MatVec(w.Up, _normed, _up);
            // SwiGLU: silu(gate) * up.
            TensorPrimitives.Sigmoid(_gate, _activated);
            TensorPrimitives.Multiply(_activated, _gate, _activated);
            TensorPrimitives.Multiply(_activated, _up, _activated);
            MatVec(w.Down, _activated, _residual);
            AllReduce(_residual);
            TensorPrimitives.Add(_x, _residual, _x);
        }

        RmsNorm(_x, _shard.FinalNorm, _normed);
        MatVec(_shard.LmHead, _normed, _logits);
        return TensorPrimitives.IndexOfMax(_logits);
    }

    private void AllReduce(Span<float> partial)
    {
        if (_parallel.TpSize > 1)
        {
            _communicator!.AllReduceSum(partial);
        }
    }

    private void RmsNorm(ReadOnlySpan<float> x, ReadOnlySpan<float> weight, Span<float> destination)
    {
        var meanSquare = TensorPrimitives.SumOfSquares(x) / x.Length;
        TensorPrimitives.Multiply(x, 1f / MathF.Sqrt(meanSquare + _shard.Config.RmsNormEpsilon), destination);
        TensorPrimitives.Multiply(destination, weight, destination);
    }

    /// <summary>y = W x for row-major W [y.Length, x.Length].</summary>
    private static void MatVec(ReadOnlySpan<float> matrix, ReadOnlySpan<float> x, Span<float> y)
    {
        for (var row = 0; row < y.Length; row++)
        {
            y[row] = TensorPrimitives.Dot(matrix.Slice(row * x.Length, x.Length), x);
        }
    }

    private void SetRotation(int position)
    {
        var config = _shard.Config;
        for (var i = 0; i < _cos.Length; i++)
        {
            var angle = position * Math.Pow(config.RopeTheta, -2.0 * i / config.HeadDim);
            _cos[i] = (float)Math.Cos(angle);
            _sin[i] = (float)Math.Sin(angle);
        }
    }

    /// <summary>Rotary position embedding on each head, over interleaved pairs.</summary>
    private void Rotate(Span<float> heads)
    {
        var headDim = _shard.Config.HeadDim;
        for (var offset = 0; offset < heads.Length; offset += headDim)
        {
            var head = heads.Slice(offset, headDim);
            for (var i = 0; i < _cos.Length; i++)
            {
                var a = head[2 * i];
                var b = head[2 * i + 1];
                head[2 * i] = a * _cos[i] - b * _sin[i];
                head[2 * i + 1] = a * _sin[i] + b * _cos[i];
            }
        }
    }
}
