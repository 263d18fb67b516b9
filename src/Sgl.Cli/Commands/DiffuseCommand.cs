using System.CommandLine;
using System.Globalization;
using Microsoft.Extensions.Logging.Abstractions;
using Sgl.Diffusion;
using Sgl.Platforms;
using Sgl.Platforms.Diffusion;
using Sgl.Platforms.Selection;

namespace Sgl.Cli.Commands;

/// <summary><c>sgl diffuse --output out.png</c>: runs the diffusion runtime's denoising loop on the current platform and writes a PNG.</summary>
/// <remarks>Exit codes: 0 done; 1 no platform selected; 2 invalid input or an unwritable output path.</remarks>
internal static class DiffuseCommand
{
    /// <summary>Creates the command; <paramref name="selectPlatform"/> replaces platform selection in tests.</summary>
    public static Command Create(Func<SelectionReport>? selectPlatform = null)
    {
        selectPlatform ??= static () => CurrentPlatform.Resolve(static () => PlatformOptions.FromEnvironment(), NullLogger.Instance);
        var output = new Option<FileInfo>("--output", "-o") { Description = "Where to write the PNG.", DefaultValueFactory = _ => new FileInfo("out.png") };
        var steps = new Option<int?>("--steps") { Description = "Denoising steps (default 20)." };
        var width = new Option<int?>("--width") { Description = "Image width in pixels, a multiple of 4 up to 256 (default 64)." };
        var height = new Option<int?>("--height") { Description = "Image height in pixels, a multiple of 4 up to 256 (default 64)." };
        var seed = new Option<int?>("--seed") { Description = "Seed of the initial noise (default 0); the same seed gives the same image." };
        var attention = new Option<string?>("--attention-backend") { Description = "Attention backend; the platform decides when unset." };
        var command = new Command("diffuse", "Run the diffusion runtime on the current platform and write the image as PNG.")
        {
            output, steps, width, height, seed, attention,
        };
        command.SetAction(parse =>
        {
            var args = new DiffusionArgs
            {
                Steps = parse.GetValue(steps),
                Width = parse.GetValue(width),
                Height = parse.GetValue(height),
                Seed = parse.GetValue(seed),
                AttentionBackend = parse.GetValue(attention),
            };
            return Run(selectPlatform, args, parse.GetValue(output)!, parse.InvocationConfiguration.Output, parse.InvocationConfiguration.Error);
        });
        return command;
    }

    private static int Run(Func<SelectionReport> selectPlatform, DiffusionArgs args, FileInfo outputFile, TextWriter output, TextWriter error)
    {
        try
        {
            DiffusionArgsDefaults.ValidateWithoutPlatform(args);
        }
        catch (InvalidDiffusionArgsException e)
        {
            error.WriteLine($"error: {e.Message}");
            return ExitCodes.InvalidInput;
        }

        var report = selectPlatform();
        if (report.Platform is null)
        {
            return ExitCodes.Report(report, error);
        }

        try
        {
            var result = DiffusionPipeline.Generate(args, report.Platform);
            // `--output artifacts/out.png` in a fresh clone: the folder is made, as a build makes its output folder.
            Directory.CreateDirectory(outputFile.DirectoryName!);
            File.WriteAllBytes(outputFile.FullName, result.Png);
            output.WriteLine($"platform           {result.Platform}");
            output.WriteLine($"device             {result.Device}");
            output.WriteLine($"compute            {result.Compute}");
            output.WriteLine($"attention backend  {result.AttentionBackend}");
            if (result.Fallbacks.Count > 0)
            {
                output.WriteLine($"cpu fallback       {string.Join(", ", result.Fallbacks)} (the platform does not run these; they ran on the CPU reference with copies)");
            }

            output.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"denoised {result.Width}x{result.Height} (seed {result.Seed}) in {result.Steps} steps, {result.Seconds * 1000:0} ms"));
            output.WriteLine($"wrote {outputFile.FullName} ({result.Png.Length} bytes)");
            return ExitCodes.Success;
        }
        catch (InvalidDiffusionArgsException e)
        {
            error.WriteLine($"error: {e.Message}");
            return ExitCodes.InvalidInput;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            error.WriteLine($"error: cannot write {outputFile.FullName}: {e.Message}");
            return ExitCodes.InvalidInput;
        }
    }
}
