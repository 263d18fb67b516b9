namespace Sgl.Platforms.EndToEnd.Tests;

/// <summary>
/// The same journey for an app built on the Generic Host: <c>AddSglPlatforms()</c>, the platform taken
/// from dependency injection, and the MUSA package added with no code change.
/// </summary>
[Trait("Category", "EndToEnd")]
public sealed class HostedAppJourneyTests(PackageFeed feed)
{
    private const string AppName = "MusaHosted";

    [Fact]
    public void A_generic_host_app_gets_musa_through_dependency_injection_under_run_and_single_file_publish()
    {
        var app = feed.NewProject(AppName);
        feed.Dotnet(app, "add", "package", "Microsoft.Extensions.Hosting", "--version", "10.0.12");
        feed.Dotnet(app, "add", "package", "Sgl.Platforms.Hosting");
        feed.Dotnet(app, "add", "package", "Sgl.Platform.Musa");
        File.WriteAllText(Path.Combine(app, "Program.cs"), """
            using Microsoft.Extensions.DependencyInjection;
            using Microsoft.Extensions.Hosting;
            using Sgl.Platforms;

            var builder = Host.CreateApplicationBuilder(args);
            builder.Services.AddSglPlatforms();
            using var host = builder.Build();
            Console.WriteLine("platform=" + host.Services.GetRequiredService<Platform>().DeviceName);
            """);

        var output = Path.Combine(app, "publish-single-file");
        feed.Dotnet(app, "publish", "-c", "Release", "-r", "linux-x64", "--self-contained", "-p:PublishSingleFile=true", "-o", output);
        var exe = Path.Combine(output, AppName);

        Printed(DotnetCommand.Run("dotnet", app, feed.On(feed.MusaMachine), "run", "-c", "Release")).Should().Be("musa");
        Printed(DotnetCommand.Run(exe, output, feed.On(feed.MusaMachine))).Should().Be("musa");
        Printed(DotnetCommand.Run("dotnet", app, feed.On(feed.BareMachine), "run", "-c", "Release", "--no-build")).Should().Be("cpu");
        Printed(DotnetCommand.Run(exe, output, feed.On(feed.BareMachine))).Should().Be("cpu");
    }

    // The host's console logger writes too, from its own thread; the app marks its line.
    private static string Printed(CommandResult result) =>
        result.EnsureSuccess().StandardOutput.Split('\n', StringSplitOptions.TrimEntries)
            .Where(line => line.StartsWith("platform=", StringComparison.Ordinal)).Select(line => line["platform=".Length..]).SingleOrDefault() ?? "";
}
