using Sgl.Platforms.Testing;

namespace Sgl.Platforms.EndToEnd.Tests;

/// <summary>
/// What a user does: a fresh console app, <c>dotnet add package Sgl.Platforms</c> and
/// <c>dotnet add package Sgl.Platform.Musa</c>, no code but printing the current platform; then the
/// same app under <c>dotnet run</c>, a framework-dependent publish and a single-file self-contained one.
/// </summary>
[Trait("Category", "EndToEnd")]
public sealed class ConsoleAppJourneyTests(PackageFeed feed)
{
    private const string AppName = "MusaConsole";
    private static readonly Lock Gate = new();
    private static string? s_app;

    [Fact]
    public void Adding_the_package_writes_the_plugin_manifest_into_the_app()
    {
        var app = App();

        feed.Dotnet(app, "build", "-c", "Release");

        var assemblyInfo = Directory.GetFiles(Path.Combine(app, "obj"), $"{AppName}.AssemblyInfo.cs", SearchOption.AllDirectories);
        assemblyInfo.Should().NotBeEmpty();
        // The package's manifest item carries its index, so the attribute does too (docs/architecture.md, "match").
        File.ReadAllText(assemblyInfo[0]).Should().Contain("[assembly: Sgl.Platforms.PlatformPluginAttribute(\"Sgl.Platform.Musa\", Index=");
    }

    [Fact]
    public void On_a_bare_machine_musa_is_NotPresent_from_the_apps_build_time_index_without_its_assembly_being_opened()
    {
        var app = feed.NewProject("MusaIndexConsole");
        feed.Dotnet(app, "add", "package", "Sgl.Platforms");
        feed.Dotnet(app, "add", "package", "Sgl.Platform.Musa");
        File.WriteAllText(Path.Combine(app, "Program.cs"), """
            using Sgl.Platforms;

            var report = new PlatformResolver(PlatformOptions.FromEnvironment()).Resolve();
            var musa = report.Candidates.Single(c => c.Name == "musa");
            Console.WriteLine($"{musa.Status}: {musa.Reason}");
            Console.WriteLine(AppDomain.CurrentDomain.GetAssemblies().Any(a => a.GetName().Name == "Sgl.Platform.Musa") ? "musa loaded" : "musa not loaded");
            """);

        // A machine whose PCI bus is readable and holds no Moore Threads function (with no PCI bus at all a PCI rule
        // cannot say "absent", so the plugin would be opened and probed).
        using var withoutMusa = new FakeSystemRoot().WithPciBus();
        var bare = DotnetCommand.Run("dotnet", app, feed.On(withoutMusa), "run", "-c", "Release").EnsureSuccess().StandardOutput;

        bare.Should().Contain("NotPresent: no matching hardware (PCI 1ed5 class 0x03|0x12; or /dev/mtgpu*)")
            .And.Contain("from the application's build-time index of Sgl.Platform.Musa; the assembly was not opened")
            .And.Contain("musa not loaded");
        RunPrinted("dotnet", app, feed.MusaMachine, "run", "-c", "Release", "--no-build").Should().Be("musa loaded");
    }

    [Fact]
    public void Dotnet_run_selects_musa_on_a_musa_machine_and_cpu_on_a_bare_one()
    {
        var app = App();

        RunPrinted("dotnet", app, feed.MusaMachine, "run", "-c", "Release").Should().Be("musa");
        RunPrinted("dotnet", app, feed.BareMachine, "run", "-c", "Release", "--no-build").Should().Be("cpu");
    }

    [Fact]
    public void A_framework_dependent_publish_selects_musa_even_without_its_deps_json()
    {
        var app = App();
        var output = Path.Combine(app, "publish-fdd");

        feed.Dotnet(app, "publish", "-c", "Release", "-o", output);

        var dll = Path.Combine(output, AppName + ".dll");
        RunPrinted("dotnet", output, feed.MusaMachine, dll).Should().Be("musa");
        RunPrinted(Path.Combine(output, AppName), output, feed.MusaMachine).Should().Be("musa");

        // The manifest, not DependencyContext, is what finds the plugin: without deps.json it still lights up.
        var withoutDeps = Path.Combine(app, "publish-fdd-without-deps");
        CopyDirectory(output, withoutDeps);
        File.Delete(Path.Combine(withoutDeps, AppName + ".deps.json"));
        RunPrinted("dotnet", withoutDeps, feed.MusaMachine, Path.Combine(withoutDeps, AppName + ".dll")).Should().Be("musa");

        RunPrinted("dotnet", output, feed.BareMachine, dll).Should().Be("cpu");
    }

    [Fact]
    public void A_single_file_self_contained_publish_selects_musa_on_a_musa_machine_and_cpu_on_a_bare_one_also_with_isolated_probes()
    {
        var app = App();
        var output = Path.Combine(app, "publish-single-file");

        feed.Dotnet(app, "publish", "-c", "Release", "-r", "linux-x64", "--self-contained", "-p:PublishSingleFile=true", "-o", output);

        File.Exists(Path.Combine(output, "Sgl.Platform.Musa.dll")).Should().BeFalse("the plugin is bundled into the single file");
        var exe = Path.Combine(output, AppName);
        RunPrinted(exe, output, feed.MusaMachine).Should().Be("musa");
        RunPrinted(exe, output, feed.BareMachine).Should().Be("cpu");

        // With isolated probing the built-ins are probed in the sgl probe host, while the bundled plugin,
        // which has no file a child could load, is probed in the app: musa still wins.
        var isolated = new Dictionary<string, string?>(feed.On(feed.MusaMachine))
        {
            ["SGL_PROBE_ISOLATION"] = "process",
            ["SGL_PROBE_HOST"] = Path.Combine(AppContext.BaseDirectory, "sgl.dll"),
        };
        LastLine(DotnetCommand.Run(exe, output, isolated).EnsureSuccess()).Should().Be("musa");
        isolated["SGL_PROBE_HOST"] = Path.Combine(output, "no-such-probe-host");
        DotnetCommand.Run(exe, output, isolated).StandardError.Should().Contain("SGL_PROBE_HOST", "isolation was really in use");
    }

    [Fact]
    public void A_plugin_referenced_through_a_library_lights_up_in_the_app_and_not_in_the_library()
    {
        var library = feed.NewProject("VendorNeutralLibrary", "classlib");
        feed.Dotnet(library, "add", "package", "Sgl.Platform.Musa");
        var app = feed.NewProject("AppOverLibrary");
        feed.Dotnet(app, "add", "package", "Sgl.Platforms");
        feed.Dotnet(app, "add", "reference", Path.Combine(library, "VendorNeutralLibrary.csproj"));
        File.WriteAllText(Path.Combine(app, "Program.cs"), PrintPlatformProgram);

        RunPrinted("dotnet", app, feed.MusaMachine, "run", "-c", "Release").Should().Be("musa");
        var libraryInfo = Directory.GetFiles(Path.Combine(library, "obj"), "VendorNeutralLibrary.AssemblyInfo.cs", SearchOption.AllDirectories);
        File.ReadAllText(libraryInfo.Should().ContainSingle().Which).Should().NotContain("PlatformPlugin", "a library passes the manifest on instead of claiming it");
    }

    internal const string PrintPlatformProgram = """
        using Sgl.Platforms;

        Console.WriteLine(CurrentPlatform.Instance.DeviceName);
        """;

    private string App()
    {
        lock (Gate)
        {
            if (s_app is null)
            {
                var app = feed.NewProject(AppName);
                feed.Dotnet(app, "add", "package", "Sgl.Platforms");
                feed.Dotnet(app, "add", "package", "Sgl.Platform.Musa");
                File.WriteAllText(Path.Combine(app, "Program.cs"), PrintPlatformProgram);
                s_app = app;
            }

            return s_app;
        }
    }

    private static void CopyDirectory(string from, string to)
    {
        foreach (var file in Directory.GetFiles(from, "*", SearchOption.AllDirectories))
        {
            var target = Path.Combine(to, Path.GetRelativePath(from, file));
            Directory.CreateDirectory(Path.GetDirectoryName(target)!);
            File.Copy(file, target);
        }
    }

    private string RunPrinted(string fileName, string workingDirectory, Testing.FakeSystemRoot machine, params string[] arguments)
    {
        return LastLine(DotnetCommand.Run(fileName, workingDirectory, feed.On(machine), arguments).EnsureSuccess());
    }

    private static string LastLine(CommandResult result) =>
        result.StandardOutput.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).LastOrDefault() ?? "";
}
