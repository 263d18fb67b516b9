using System.Globalization;
using BenchmarkDotNet.Running;
using Sgl.Platforms.Benchmarks;

// generate WORK            compile the synthetic plugin sets and the fake system root
// cold WORK COUNT [NAME]   one resolution in this fresh process (NAME forces SGL_PLATFORM)
// cold-package WORK COUNT index|noindex   the plugins with rules as an application's package plugins, with or without the build-time index
// phases WORK COUNT        the same, step by step
// anything else            BenchmarkDotNet (for example: --filter '*HotPath*')
switch (args.FirstOrDefault())
{
    case "generate":
        foreach (var count in SyntheticPlugins.Counts)
        {
            SyntheticPlugins.Ensure(args[1], count);
        }

        return 0;
    case "cold":
        return ColdResolution.Run(args[1], int.Parse(args[2], CultureInfo.InvariantCulture), args.Length > 3 ? args[3] : null);
    case "cold-package":
        return ColdResolution.RunPackage(args[1], int.Parse(args[2], CultureInfo.InvariantCulture), args.Length > 3 && args[3] == "index");
    case "phases":
        return ColdResolution.RunPhases(args[1], int.Parse(args[2], CultureInfo.InvariantCulture));
    default:
        BenchmarkSwitcher.FromAssembly(typeof(ResolutionBenchmarks).Assembly).Run(args);
        return 0;
}
