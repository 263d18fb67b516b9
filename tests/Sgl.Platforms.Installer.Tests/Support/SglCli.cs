using System.Diagnostics;

namespace Sgl.Platforms.Installer.Tests.Support;

/// <summary>Runs the built <c>sgl</c> as an operator would: a child process in the scenario's working directory and home.</summary>
internal static class SglCli
{
    public sealed record Result(int ExitCode, string Output, string Error);

    /// <summary>sgl.dll in src/Sgl.Cli's output for the configuration these tests were built in.</summary>
    private static readonly Lazy<string> SglDll = new(() =>
    {
        var output = new DirectoryInfo(AppContext.BaseDirectory.TrimEnd(Path.DirectorySeparatorChar));
        var configuration = output.Parent!.Name;
        var repository = output;
        while (!File.Exists(Path.Combine(repository.FullName, "Platforms.sln")))
        {
            repository = repository.Parent ?? throw new InvalidOperationException($"No Platforms.sln above '{AppContext.BaseDirectory}'.");
        }

        return Path.Combine(repository.FullName, "src", "Sgl.Cli", "bin", configuration, output.Name, "sgl.dll");
    });

    /// <summary>The built sgl.dll these tests run.</summary>
    public static string DllPath => SglDll.Value;

    public static Task<Result> RunAsync(InstallScenario scenario, params string[] args) =>
        RunAsync(scenario, new Dictionary<string, string?>(), args);

    /// <summary>Runs sgl with <paramref name="environment"/> added to (or replacing) the scenario's variables.</summary>
    public static async Task<Result> RunAsync(InstallScenario scenario, IReadOnlyDictionary<string, string?> environment, params string[] args)
    {
        var start = new ProcessStartInfo("dotnet") { WorkingDirectory = scenario.WorkingDirectory, RedirectStandardOutput = true, RedirectStandardError = true };
        start.ArgumentList.Add(SglDll.Value);
        foreach (var arg in args)
        {
            start.ArgumentList.Add(arg);
        }

        // No SGL_* from the developer's shell leaks into the test.
        foreach (var key in start.Environment.Keys.Where(k => k.StartsWith("SGL_", StringComparison.Ordinal)).ToList())
        {
            start.Environment.Remove(key);
        }

        start.Environment["SGL_PLATFORMS_HOME"] = scenario.Home;
        start.Environment["SGL_SYSTEM_ROOT"] = scenario.System.Root;
        foreach (var (key, value) in environment)
        {
            start.Environment[key] = value;
        }

        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync(TestContext.Current.CancellationToken);
        return new Result(process.ExitCode, await output, await error);
    }
}
