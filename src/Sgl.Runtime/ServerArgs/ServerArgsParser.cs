using System.CommandLine;
using System.CommandLine.Parsing;
using Sgl.Platforms.Devices;
using Args = Sgl.Platforms.Serving.ServerArgs;

namespace Sgl.Runtime.ServerArgs;

/// <summary>
/// The serving runtime's command-line options, declared once: <see cref="AddTo(Command)"/> puts them on a
/// command (as <c>sgl launch</c> does) and <see cref="Bind(ParseResult)"/> reads what the user gave. An
/// option the user did not give stays null in <see cref="Args"/>, so platform defaults can fill it.
/// </summary>
public sealed class ServerArgsParser
{
    /// <summary>Creates the options.</summary>
    public ServerArgsParser()
    {
        ModelPath = new Option<string?>("--model-path", "--model") { Description = "The model to serve: 'sgl-tiny' (the default) or 'sgl-synthetic-1b' (a 1B-class shape for benchmarks)." };
        TpSize = new Option<int?>("--tp-size", "--tp") { Description = "Tensor-parallel size: ranks the model is split across." };
        MemFractionStatic = new Option<double?>("--mem-fraction-static") { Description = "Fraction of free device memory for the KV cache, in (0, 1]." };
        AttentionBackend = new Option<string?>("--attention-backend") { Description = "Attention backend, as the platform names them." };
        DataType = new Option<ElementType?>("--dtype") { Description = "Element type of weights and activations: Float32, Float16 or BFloat16." };
        KvCacheDataType = new Option<ElementType?>("--kv-cache-dtype") { Description = "KV cache element type: Float32, Float16 or BFloat16." };
        DisableGraphCapture = new Option<bool>("--disable-graph-capture", "--disable-cuda-graph") { Description = "Run every step eagerly instead of replaying captured graphs." };
        ChunkedPrefillSize = new Option<int?>("--chunked-prefill-size") { Description = "The most prompt tokens one prefill step processes." };
        MaxTotalTokens = new Option<int?>("--max-total-tokens") { Description = "KV cache capacity in tokens; derived from free memory when unset." };
    }

    /// <summary><c>--model-path</c> (alias <c>--model</c>).</summary>
    public Option<string?> ModelPath { get; }

    /// <summary><c>--tp-size</c> (alias <c>--tp</c>).</summary>
    public Option<int?> TpSize { get; }

    /// <summary><c>--mem-fraction-static</c>.</summary>
    public Option<double?> MemFractionStatic { get; }

    /// <summary><c>--attention-backend</c>.</summary>
    public Option<string?> AttentionBackend { get; }

    /// <summary><c>--dtype</c>.</summary>
    public Option<ElementType?> DataType { get; }

    /// <summary><c>--kv-cache-dtype</c>.</summary>
    public Option<ElementType?> KvCacheDataType { get; }

    /// <summary><c>--disable-graph-capture</c> (alias <c>--disable-cuda-graph</c>), a flag.</summary>
    public Option<bool> DisableGraphCapture { get; }

    /// <summary><c>--chunked-prefill-size</c>.</summary>
    public Option<int?> ChunkedPrefillSize { get; }

    /// <summary><c>--max-total-tokens</c>.</summary>
    public Option<int?> MaxTotalTokens { get; }

    /// <summary>Every option, in help order.</summary>
    public IEnumerable<Option> All => [ModelPath, TpSize, MemFractionStatic, AttentionBackend, DataType, KvCacheDataType, DisableGraphCapture, ChunkedPrefillSize, MaxTotalTokens];

    /// <summary>Adds every option to <paramref name="command"/>.</summary>
    /// <param name="command">The command that takes server arguments.</param>
    public void AddTo(Command command)
    {
        ArgumentNullException.ThrowIfNull(command);
        foreach (var option in All)
        {
            command.Options.Add(option);
        }
    }

    /// <summary>The arguments the user gave; options not given are null.</summary>
    /// <param name="parseResult">A parse of a command the options were added to.</param>
    public Args Bind(ParseResult parseResult)
    {
        ArgumentNullException.ThrowIfNull(parseResult);
        return new Args
        {
            ModelPath = parseResult.GetValue(ModelPath),
            TpSize = parseResult.GetValue(TpSize),
            MemFractionStatic = parseResult.GetValue(MemFractionStatic),
            AttentionBackend = parseResult.GetValue(AttentionBackend),
            DataType = parseResult.GetValue(DataType),
            KvCacheDataType = parseResult.GetValue(KvCacheDataType),
            // A flag's absence means "unset", not "false", so a platform default can still apply.
            DisableGraphCapture = parseResult.GetResult(DisableGraphCapture) is null ? null : parseResult.GetValue(DisableGraphCapture),
            ChunkedPrefillSize = parseResult.GetValue(ChunkedPrefillSize),
            MaxTotalTokens = parseResult.GetValue(MaxTotalTokens),
        };
    }

    /// <summary>Parses server arguments such as <c>--tp-size 2 --attention-backend simd</c>.</summary>
    /// <param name="args">The command-line tokens.</param>
    /// <exception cref="InvalidServerArgsException">A token is unknown or a value does not parse.</exception>
    public static Args Parse(IReadOnlyList<string> args)
    {
        ArgumentNullException.ThrowIfNull(args);
        var parser = new ServerArgsParser();
        var command = new RootCommand("Server arguments.");
        parser.AddTo(command);
        var result = command.Parse(args);
        if (result.Errors.Count > 0)
        {
            throw new InvalidServerArgsException(string.Join(" ", result.Errors.Select(e => e.Message)));
        }

        return parser.Bind(result);
    }
}
