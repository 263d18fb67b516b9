using System.CommandLine;
using System.Globalization;
using System.Text;
using System.Text.Json;
using Microsoft.Extensions.Logging.Abstractions;
using Sgl.Platforms;
using Sgl.Platforms.Serving;
using Sgl.Platforms.Contributions;
using Sgl.Platforms.Selection;
using Sgl.Runtime;
using Sgl.Runtime.Entrypoints;
using Sgl.Runtime.Models;
using Sgl.Runtime.ServerArgs;

namespace Sgl.Cli.Commands;

/// <summary>
/// <c>sgl launch</c>: selects the platform, sets up the serving runtime on it and runs a real prefill and
/// decode of the embedded tiny model, printing the selection report, the launch plan and the tokens.
/// </summary>
/// <remarks>
/// Exit codes: 0 done; 1 no platform selected; 2 invalid input (an argument out of range, an unknown
/// model or attention backend, a rendezvous port in use); 3 the run could not finish (the KV pool filled up,
/// the platform lacks a part the runtime needs, in which case the plan shows how far it got, or a worker
/// process failed or died, in which case the error names its rank).
/// </remarks>
internal static class LaunchCommand
{
    private const string DefaultPrompt = "The platform is";

    /// <summary>Creates the command; <paramref name="selectPlatform"/> replaces platform selection in tests.</summary>
    public static Command Create(Func<SelectionReport>? selectPlatform = null)
    {
        selectPlatform ??= static () => CurrentPlatform.Resolve(static () => PlatformOptions.FromEnvironment(), NullLogger.Instance);
        var prompt = new Option<string>("--prompt") { Description = "The prompt.", DefaultValueFactory = _ => DefaultPrompt };
        var maxNewTokens = new Option<int>("--max-new-tokens") { Description = "Tokens to generate at most.", DefaultValueFactory = _ => 32 };
        var json = new Option<bool>("--json") { Description = "Print one JSON object instead of text." };
        var tpWorkers = new Option<string?>("--tp-workers")
        {
            Description = $"How --tp-size ranks run: 'process' (one worker process per rank, the default) or 'thread' (threads of this process). Default from {TpWorkersVariable}.",
        };
        tpWorkers.AcceptOnlyFromAmong(ProcessWorkers, ThreadWorkers);
        var distInitAddr = new Option<string?>("--dist-init-addr")
        {
            Description = "host:port where worker processes meet (the launcher listens there); default: a free port on 127.0.0.1.",
        };
        var serverArgs = new ServerArgsParser();
        var command = new Command("launch", "Run the serving runtime on the current platform: a real prefill and decode of the embedded tiny model.");
        command.Options.Add(prompt);
        command.Options.Add(maxNewTokens);
        command.Options.Add(json);
        command.Options.Add(tpWorkers);
        command.Options.Add(distInitAddr);
        serverArgs.AddTo(command);
        command.SetAction(parse => Run(
            selectPlatform,
            serverArgs.Bind(parse),
            new GenerationRequest(parse.GetValue(prompt) ?? DefaultPrompt, parse.GetValue(maxNewTokens)),
            new Workers(parse.GetValue(tpWorkers) ?? Environment.GetEnvironmentVariable(TpWorkersVariable), parse.GetValue(distInitAddr)),
            parse.GetValue(json),
            parse.InvocationConfiguration.Output,
            parse.InvocationConfiguration.Error));
        return command;
    }

    /// <summary>The environment variable that sets the default of <c>--tp-workers</c>.</summary>
    internal const string TpWorkersVariable = "SGL_TP_WORKERS";

    private const string ProcessWorkers = "process";
    private const string ThreadWorkers = "thread";

    /// <summary>How the ranks run: <paramref name="Mode"/> is process, thread or null (process); <paramref name="Address"/> is the rendezvous.</summary>
    private sealed record Workers(string? Mode, string? Address)
    {
        public bool InProcess => Mode == ThreadWorkers;
    }

    private static int Run(Func<SelectionReport> selectPlatform, ServerArgs args, GenerationRequest request, Workers workers, bool json, TextWriter output, TextWriter error)
    {
        if (workers.Mode is not (null or ProcessWorkers or ThreadWorkers))
        {
            error.WriteLine($"error: {TpWorkersVariable}='{workers.Mode}' is not one of: {ProcessWorkers}, {ThreadWorkers}.");
            return ExitCodes.InvalidInput;
        }

        try
        {
            // A value that is wrong on every platform is reported before any hardware is probed.
            Engine.ValidateWithoutPlatform(args, request);
        }
        catch (InvalidServerArgsException e)
        {
            error.WriteLine($"error: {e.Message}");
            return ExitCodes.InvalidInput;
        }

        var progress = Progress.For(error);
        progress.Say("probing platforms…");
        var report = selectPlatform();
        if (report.Platform is null)
        {
            // A setting that cannot be used stopped selection before any probe: the rows would say nothing.
            if (!json && report.Error is not PlatformConfigurationException)
            {
                WriteReport(report, output);
            }

            return ExitCodes.Report(report, error);
        }

        if (!json)
        {
            WriteReport(report, output);
        }

        try
        {
            progress.Say($"setting up {args.ModelPath ?? "the model"} on {report.Platform.DeviceName} and generating…");
            GenerationResult result;
            // The platform's code runs the model: what it writes to stdout goes to stderr, so --json stays one object.
            using (PluginCodeGuard.Enter(GuardedPhase.Run))
            {
                PluginCodeGuard.Note($"platform '{report.Selected}' running {args.ModelPath ?? "the model"}");
                result = (args.TpSize ?? 1) > 1 && !workers.InProcess
                    ? WorkerGroup.Launch(args, request, report.Selected!, report.Platform, () =>
                    {
                        var command = WorkerLaunch.Command(out var problem)
                            ?? throw new InvalidServerArgsException($"--tp-size {args.TpSize} runs one worker process per rank, but {problem}; pass --tp-workers thread to run the ranks in this process.");
                        progress.Say($"starting {args.TpSize} worker processes…");
                        return command;
                    }, workers.Address, error)
                    : Engine.Generate(args, request, report.Platform);
            }

            if (json)
            {
                output.WriteLine(JsonSerializer.Serialize(LaunchOutput.From(report, request, result), LaunchJsonContext.Default.LaunchOutput));
            }
            else
            {
                WritePlan(result.Plan, output);
                WriteGeneration(request.Prompt, result.PromptTokenIds, result.OutputTokenIds, result.Plan, output);
                WriteTimings(result, output);
            }

            return ExitCodes.Success;
        }
        catch (InvalidServerArgsException e)
        {
            error.WriteLine($"error: {e.Message}");
            return ExitCodes.InvalidInput;
        }
        catch (PlatformCapabilityException e)
        {
            if (json)
            {
                output.WriteLine(JsonSerializer.Serialize(LaunchOutput.Incomplete(report, request, e.PlanSoFar, e.Message), LaunchJsonContext.Default.LaunchOutput));
            }
            else if (e.PlanSoFar is { } plan)
            {
                WritePlan(plan, output);
            }

            error.WriteLine($"error: {e.Message}");
            return ExitCodes.Incomplete;
        }
        catch (GenerationStoppedException e)
        {
            // The run got somewhere: show the plan and the tokens generated before it stopped, as a full run would.
            if (json)
            {
                output.WriteLine(JsonSerializer.Serialize(LaunchOutput.Stopped(report, request, e), LaunchJsonContext.Default.LaunchOutput));
            }
            else
            {
                if (e.Plan is { } plan)
                {
                    WritePlan(plan, output);
                }

                WriteGeneration(request.Prompt, e.PromptTokenIds, e.OutputTokenIds, e.Plan, output);
                output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"stopped after {e.OutputTokenIds.Count} of {request.MaxNewTokens} tokens: see the error"));
            }

            error.WriteLine($"error: {e.Message}");
            return ExitCodes.Incomplete;
        }
        catch (KvPoolExhaustedException e)
        {
            error.WriteLine($"error: {e.Message}");
            return ExitCodes.Incomplete;
        }
        catch (WorkerFailedException e)
        {
            error.WriteLine($"error: {e.Message}");
            return ExitCodes.Incomplete;
        }
    }

    private static void WriteReport(SelectionReport report, TextWriter output)
    {
        output.WriteLine($"platform selection: {report.Selected ?? "none"}");
        foreach (var c in report.Candidates)
        {
            var mark = c.Name == report.Selected ? "*" : " ";
            output.WriteLine($"  {mark} {c.Name,-8} {c.Status,-12} {c.Reason}");
        }

        foreach (var c in report.Contributions.Where(c => c.Status != ContributionStatus.Unused))
        {
            output.WriteLine($"  + {c.Name} ({c.Kind} for {c.Extends}, {c.Assembly}) {c.Status} {c.Reason}".TrimEnd());
        }
    }

    private static void WritePlan(LaunchPlan plan, TextWriter output)
    {
        output.WriteLine("launch plan:");
        Line(output, "platform", plan.Platform);
        Line(output, "device", plan.DeviceIndex is { } index ? $"{index}: {plan.Device}{(plan.DeviceCapability is { } c ? $" (capability {c})" : "")}" : null);
        Line(output, "compute", plan.Compute);
        if (plan.VisibleDevices is { } visible)
        {
            Line(output, "visible devices", visible);
        }

        Line(output, "model", plan.ModelDescription is null ? plan.Model : $"{plan.Model}: {plan.ModelDescription}");
        Line(output, "tp size", plan.TpSize == 1 ? "1" : string.Create(CultureInfo.InvariantCulture, $"{plan.TpSize} ({(plan.WorkerProcesses ? "one worker process per rank" : "ranks are threads of this process")})"));
        Line(output, "weights", plan.WeightBytes is { } bytes ? string.Create(CultureInfo.InvariantCulture, $"{plan.DataType}, {Size(bytes)} per rank, {plan.WeightSource}") : null);
        Line(output, "kv pool", plan.KvPoolLocation is null ? null : string.Create(CultureInfo.InvariantCulture,
            $"{plan.KvCacheDataType} on {plan.KvPoolLocation}, {plan.KvPoolTokens} tokens, {Size(plan.KvPoolBytes ?? 0)} per rank"));
        Line(output, "attention backend", plan.AttentionBackend);
        Line(output, "communicator", plan.AttentionBackend is null ? null : $"{plan.Communicator ?? "none"} (distributed backend {plan.DistributedBackend})");
        Line(output, "graph runner", plan.GraphRunner);
        foreach (var contribution in plan.Contributions)
        {
            Line(output, "contribution", contribution);
        }

        if (plan.DecodeOperations.Count > 0)
        {
            var perStep = plan.DecodeOperations.Sum(o => o.PerStep);
            var byPlace = plan.DecodeOperations.GroupBy(o => o.Runner).Select(g => string.Create(CultureInfo.InvariantCulture, $"{g.Sum(o => o.PerStep)} on {g.Key}"));
            Line(output, "decode step", string.Create(CultureInfo.InvariantCulture, $"{perStep} operations: {string.Join(", ", byPlace)}"));
        }

        foreach (var fallback in plan.Fallbacks)
        {
            Line(output, "cpu fallback", string.Create(CultureInfo.InvariantCulture,
                $"{fallback.Operation} x{fallback.PerStep} per step: {fallback.BytesPerStep:0} bytes copied and {fallback.MillisecondsPerStep:0.000} ms per step"));
        }
    }

    private static string Size(long bytes) => bytes >= 1 << 30
        ? string.Create(CultureInfo.InvariantCulture, $"{bytes / (double)(1L << 30):0.00} GiB")
        : string.Create(CultureInfo.InvariantCulture, $"{bytes / (1024.0 * 1024):0.0} MiB");

    private static void Line(TextWriter output, string name, string? value) =>
        output.WriteLine($"  {name,-18} {value ?? "(not reached)"}");

    /// <summary>The prompt, the text, what the model is, and the ids: what a newcomer needs to read the run.</summary>
    private static void WriteGeneration(string prompt, IReadOnlyList<int> promptIds, IReadOnlyList<int> ids, LaunchPlan? plan, TextWriter output)
    {
        output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"prompt: \"{WithoutControls(prompt)}\" ({promptIds.Count} tokens: <bos> and one per UTF-8 byte)"));
        var stoppedAtEnd = ids.Count > 0 && ids[^1] == ByteTokenizer.EndOfSequence;
        output.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"generated {ids.Count} tokens: \"{Printable(ids)}\"{(stoppedAtEnd ? " (the model ended the sequence with <eos>)" : "")}"));
        if (plan?.ModelDescription is { } description)
        {
            output.WriteLine($"  {plan.Model} is {description}.");
        }

        output.WriteLine("  \\xNN is a byte that is not printable ASCII; <bos> and <eos> are the begin- and end-of-sequence tokens.");
        output.WriteLine($"token ids: [{string.Join(", ", ids)}]");
    }

    private static void WriteTimings(GenerationResult result, TextWriter output)
    {
        output.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"generated {result.OutputTokenIds.Count} = 1 token from the prefill + {result.DecodeSteps} decode steps (one token each)"));
        output.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"prefill {result.PromptTokenIds.Count} tokens in {result.PrefillSeconds * 1000:0.00} ms; decode {result.DecodeSteps} steps in {result.DecodeSeconds * 1000:0.00} ms = {result.DecodeTokensPerSecond:0} tokens/s; decode allocated {result.DecodeAllocatedBytes} bytes"));
        output.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"per decode step {result.DecodeBytesToDevicePerStep:0.#} bytes went to the device and {result.DecodeBytesToHostPerStep:0.#} came back"));
    }

    /// <summary>The prompt as the user typed it, but with control characters escaped, so a prompt cannot garble the terminal either.</summary>
    private static string WithoutControls(string text) =>
        string.Concat(text.Select(c => char.IsControl(c) ? string.Create(CultureInfo.InvariantCulture, $"\\u{(int)c:x4}") : c.ToString()));

    /// <summary>Byte tokens as text, with anything but printable ASCII escaped, so random bytes cannot garble the terminal.</summary>
    private static string Printable(IEnumerable<int> ids)
    {
        var text = new StringBuilder();
        foreach (var id in ids)
        {
            if (id is >= 0x20 and < 0x7f and not '"' and not '\\')
            {
                text.Append((char)id);
            }
            else
            {
                text.Append(ByteTokenizer.SpecialTokenName(id) ?? string.Create(CultureInfo.InvariantCulture, $"\\x{id:x2}"));
            }
        }

        return text.ToString();
    }
}
