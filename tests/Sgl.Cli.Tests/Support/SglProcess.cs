using System.Diagnostics;

namespace Sgl.Cli.Tests.Support;

/// <summary>Runs the built <c>sgl</c> as a user would: a child process with its own environment.</summary>
internal static class SglProcess
{
    public sealed record Result(int ExitCode, string Output, string Error);

    public static string SglDll => Path.Combine(AppContext.BaseDirectory, "sgl.dll");

    public static async Task<Result> RunAsync(IReadOnlyDictionary<string, string?> environment, params string[] args)
    {
        using var process = Start(environment, args);
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        await process.WaitForExitAsync(timeout.Token);
        return new Result(process.ExitCode, await output, await error);
    }

    /// <summary>Starts sgl with its output redirected; the caller reads it and waits.</summary>
    public static Process Start(IReadOnlyDictionary<string, string?> environment, params string[] args)
    {
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        start.ArgumentList.Add(SglDll);
        foreach (var arg in args)
        {
            start.ArgumentList.Add(arg);
        }

        // A clean slate: no SGL_* from the developer's shell leaks into the test.
        foreach (var key in start.Environment.Keys.Where(k => k.StartsWith("SGL_", StringComparison.Ordinal)).ToList())
        {
            start.Environment.Remove(key);
        }

        foreach (var (key, value) in environment)
        {
            start.Environment[key] = value;
        }

        return Process.Start(start)!;
    }
}
