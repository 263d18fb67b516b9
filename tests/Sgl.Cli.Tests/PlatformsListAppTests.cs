using System.Text.Json;
using Sgl.Cli.Tests.Support;
using Sgl.Platforms.Testing;
using Sgl.Platforms.Tests.Support;

namespace Sgl.Cli.Tests;

/// <summary>
/// <c>sgl platforms list --app</c>: the platform packages a user's application references, read from
/// its build-time manifest, each problem named with its package assembly and the fix.
/// </summary>
public sealed class PlatformsListAppTests : IDisposable
{
    private readonly FakeSystemRoot _root = new FakeSystemRoot().WithCpuInfo("Fake Xeon", 4).WithMemInfo(8L << 30, 6L << 30).WithDeviceNode("acme0");
    private readonly string _app = PluginCompiler.NewDirectory();

    public void Dispose() => _root.Dispose();

    private string CompileApp(params string[] pluginAssemblies) =>
        PluginCompiler.Compile(_app, "Contoso.Server",
            string.Concat(pluginAssemblies.Select(p => $"[assembly: Sgl.Platforms.PlatformPlugin(\"{p}\")]\n")) + "namespace Contoso; public static class Program { }");

    private async Task<(int ExitCode, JsonElement Report, string Error)> ListAsync(string app)
    {
        var result = await SglProcess.RunAsync(new Dictionary<string, string?> { ["SGL_SYSTEM_ROOT"] = _root.Root }, "platforms", "list", "--json", "--app", app);
        return (result.ExitCode, JsonDocument.Parse(result.Output).RootElement.Clone(), result.Error);
    }

    private static JsonElement Candidate(JsonElement report, string name) =>
        report.GetProperty("candidates").EnumerateArray().Single(c => c.GetProperty("name").GetString() == name);

    [Fact]
    public async Task The_apps_platform_package_is_listed_as_a_package_and_selected_on_its_hardware()
    {
        PluginCompiler.Compile(_app, "Vendor.Acme", PluginCompiler.PlatformSource("acme"));
        var app = CompileApp("Vendor.Acme");

        var (exitCode, report, error) = await ListAsync(app);

        exitCode.Should().Be(0, error);
        report.GetProperty("selected").GetString().Should().Be("acme");
        Candidate(report, "acme").GetProperty("source").GetString().Should().Be("Package");
    }

    [Fact]
    public async Task A_package_whose_build_time_index_says_its_hardware_is_absent_is_NotPresent_without_its_assembly_being_read()
    {
        // Not an assembly: reading it would make the row Failed.
        File.WriteAllText(Path.Combine(_app, "Vendor.Zeta.dll"), "not an assembly");
        const string Index = """[{"name":"zeta","kind":"Oot","priority":200,"contract":"1.1.0.0","assembly":"Vendor.Zeta.dll","match":[{"deviceNodes":["zeta*"]}]}]""";
        var app = PluginCompiler.Compile(_app, "Contoso.Server",
            $"[assembly: Sgl.Platforms.PlatformPlugin(\"Vendor.Zeta\", Index = {Microsoft.CodeAnalysis.CSharp.SymbolDisplay.FormatLiteral(Index, quote: true)})]\nnamespace Contoso; public static class Program {{ }}");

        var (exitCode, report, error) = await ListAsync(app);

        exitCode.Should().Be(0, error);
        report.GetProperty("selected").GetString().Should().Be("cpu");
        var zeta = Candidate(report, "zeta");
        zeta.GetProperty("status").GetString().Should().Be("NotPresent");
        zeta.GetProperty("source").GetString().Should().Be("Package");
        zeta.GetProperty("reason").GetString().Should().Contain("no matching hardware (/dev/zeta*)").And.Contain("build-time index of Vendor.Zeta; the assembly was not opened");
    }

    [Fact]
    public async Task A_package_with_a_platform_type_but_no_export_is_named_with_the_fix()
    {
        PluginCompiler.Compile(_app, "Vendor.Acme", PluginCompiler.PlatformSource("acme", export: false));
        var app = CompileApp("Vendor.Acme");

        var (exitCode, report, _) = await ListAsync(app);

        var row = report.GetProperty("candidates").EnumerateArray().Single(c => c.GetProperty("source").GetString() == "Package");
        row.GetProperty("status").GetString().Should().Be("Rejected");
        row.GetProperty("reason").GetString().Should().Contain("'Vendor.Acme'").And.Contain("[Export(typeof(Platform))]");
        exitCode.Should().Be(1, "a rejected plugin leaves only the CPU, which is never chosen silently");
    }

    [Fact]
    public async Task Two_packages_exporting_one_name_are_both_named()
    {
        PluginCompiler.Compile(_app, "Vendor.Acme", PluginCompiler.PlatformSource("acme"));
        PluginCompiler.Compile(_app, "Other.Acme", PluginCompiler.PlatformSource("acme", className: "OtherPlatform"));
        var app = CompileApp("Vendor.Acme", "Other.Acme");

        var (_, report, _) = await ListAsync(app);

        var rows = report.GetProperty("candidates").EnumerateArray().Where(c => c.GetProperty("name").GetString() == "acme").ToList();
        rows.Should().HaveCount(2).And.OnlyContain(r => r.GetProperty("status").GetString() == "Rejected");
        rows[0].GetProperty("reason").GetString().Should().Contain("Vendor.Acme").And.Contain("Other.Acme").And.Contain("Remove one");
    }

    [Fact]
    public async Task A_package_the_manifest_names_but_the_app_folder_lacks_is_reported()
    {
        var app = CompileApp("Vendor.Missing");

        var (_, report, _) = await ListAsync(app);

        var row = report.GetProperty("candidates").EnumerateArray().Single(c => c.GetProperty("source").GetString() == "Package");
        row.GetProperty("status").GetString().Should().Be("Failed");
        row.GetProperty("reason").GetString().Should().Contain("Vendor.Missing");
    }

    [Fact]
    public async Task An_app_path_that_is_not_an_assembly_exits_2_with_the_fix()
    {
        var notAnApp = Path.Combine(_app, "notes.txt");
        await File.WriteAllTextAsync(notAnApp, "hello", TestContext.Current.CancellationToken);

        var result = await SglProcess.RunAsync(new Dictionary<string, string?> { ["SGL_SYSTEM_ROOT"] = _root.Root }, "platforms", "list", "--app", notAnApp);

        result.ExitCode.Should().Be(2);
        result.Error.Should().Contain("--app").And.Contain("main .dll");
    }
}
