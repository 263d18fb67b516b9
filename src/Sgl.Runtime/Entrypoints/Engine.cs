using System.Globalization;
using Sgl.Platforms;
using Sgl.Runtime.Distributed;
using Sgl.Runtime.Layers.Attention;
using Sgl.Runtime.ModelExecutor;
using Sgl.Runtime.Models;
using Sgl.Runtime.ServerArgs;
using Args = Sgl.Platforms.Serving.ServerArgs;

namespace Sgl.Runtime.Entrypoints;

/// <summary>
/// The serving runtime in process: completes the server arguments with the platform's defaults, checks them
/// against the platform's capabilities, starts one rank per <c>--tp-size</c> on the current platform, and runs a
/// greedy generation on the chosen model.
/// </summary>
public static class Engine
{
    /// <summary>Runs <paramref name="request"/> on <paramref name="platform"/> (the current platform when null).</summary>
    /// <param name="userArgs">The server arguments the user gave; unset ones are filled by the platform, then the runtime.</param>
    /// <param name="request">The prompt and how many tokens to generate.</param>
    /// <param name="platform">The platform; <see cref="CurrentPlatform.Instance"/> when null.</param>
    /// <exception cref="InvalidServerArgsException">An argument is invalid for this model or platform.</exception>
    /// <exception cref="PlatformCapabilityException">The platform lacks a part the runtime needs; the exception carries the plan so far.</exception>
    /// <exception cref="Sgl.Platforms.Serving.KvPoolExhaustedException">The KV pool filled up during generation.</exception>
    public static GenerationResult Generate(Args userArgs, GenerationRequest request, Platform? platform = null) =>
        GenerateRanks(userArgs, request, platform ?? CurrentPlatform.Instance, workerRank: null, rendezvous: null);

    /// <summary>
    /// Runs one rank of <paramref name="request"/> in a group whose ranks are processes of their own (as started by
    /// <see cref="WorkerGroup"/>): every rank runs the same generation and meets the others through
    /// <paramref name="rendezvous"/> at its first collective.
    /// </summary>
    internal static GenerationResult GenerateRanks(Args userArgs, GenerationRequest request, Platform platform, int? workerRank, Sgl.Platforms.Serving.GroupRendezvous? rendezvous)
    {
        var (args, config) = Prepare(userArgs, request, platform);
        var tp = args.TpSize!.Value;
        var prompt = ByteTokenizer.Encode(request.Prompt);

        var hostWeights = config.Weights == WeightSource.HostSeeded ? HostWeights.Generate(config) : null;
        using var parallel = new ParallelState(platform, tp, workerRank, rendezvous);
        var results = parallel.RunRanks(rank =>
        {
            using var runner = new ModelRunner(platform, args, parallel, rank, config, hostWeights, userArgs.AttentionBackend);
            runner.Initialize();
            return runner.Generate(prompt, request.MaxNewTokens, request.ReturnPrefillLogits);
        });

        // Every rank decoded the same tokens from bit-identical all-reduced activations; rank 0 (or a worker's own rank) speaks for the group.
        return results[0];
    }

    /// <summary>Completes <paramref name="userArgs"/> with the platform's defaults and checks them and the request against the model and the platform.</summary>
    /// <exception cref="InvalidServerArgsException">An argument is invalid for this model or platform.</exception>
    internal static (Args Args, DecoderConfig Config) Prepare(Args userArgs, GenerationRequest request, Platform platform)
    {
        ArgumentNullException.ThrowIfNull(userArgs);
        ArgumentNullException.ThrowIfNull(request);
        var args = ServerArgsDefaults.Resolve(userArgs, platform);
        var config = ModelCatalog.Find(args.ModelPath!)!;
        var tp = args.TpSize!.Value;
        if (!config.CanSplit(tp))
        {
            throw new InvalidServerArgsException(string.Create(CultureInfo.InvariantCulture,
                $"--tp-size {tp} does not divide model '{config.Name}' ({config.QueryHeads} attention heads, MLP width {config.IntermediateSize}); use {string.Join(", ", config.Splits(Math.Max(tp, 8)).SkipLast(1))} or {config.Splits(Math.Max(tp, 8)).Last()}."));
        }

        ValidateRequest(config, request);
        AttentionRegistry.Validate(platform, args.AttentionBackend);
        return (args, config);
    }

    /// <summary>
    /// Checks what needs no platform (ranges, the model name, the request against the model's context), so a launcher
    /// can report a mistyped value before probing any hardware. <see cref="Generate"/> checks the same again.
    /// </summary>
    /// <param name="userArgs">The server arguments the user gave.</param>
    /// <param name="request">The prompt and how many tokens to generate.</param>
    /// <exception cref="InvalidServerArgsException">An argument is invalid whatever the platform.</exception>
    public static void ValidateWithoutPlatform(Args userArgs, GenerationRequest request)
    {
        ArgumentNullException.ThrowIfNull(userArgs);
        ArgumentNullException.ThrowIfNull(request);
        ServerArgsDefaults.ValidateWithoutPlatform(userArgs);
        ValidateRequest(ModelCatalog.Find(userArgs.ModelPath ?? ModelCatalog.Tiny.Name)!, request);
    }

    private static void ValidateRequest(DecoderConfig config, GenerationRequest request)
    {
        if (request.MaxNewTokens < 1)
        {
            throw new InvalidServerArgsException(string.Create(CultureInfo.InvariantCulture, $"--max-new-tokens must be at least 1; got {request.MaxNewTokens}."));
        }

        var promptTokens = ByteTokenizer.Encode(request.Prompt).Length;
        if (promptTokens + request.MaxNewTokens > config.MaxContext)
        {
            throw new InvalidServerArgsException(string.Create(CultureInfo.InvariantCulture,
                $"The prompt ({promptTokens} tokens) and --max-new-tokens {request.MaxNewTokens} exceed the model's context of {config.MaxContext} tokens; shorten the prompt or lower --max-new-tokens."));
        }
    }
}
