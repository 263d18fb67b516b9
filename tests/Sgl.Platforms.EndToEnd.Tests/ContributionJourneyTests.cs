namespace Sgl.Platforms.EndToEnd.Tests;

/// <summary>
/// A kernel vendor's journey: <c>dotnet new sgl-contribution</c> (an attention backend for <c>cpu</c>),
/// <c>dotnet test</c> (its kernel against the CPU reference), <c>dotnet pack</c>, and a fresh application that
/// adds the package and runs the tiny model through the contributed backend with the same tokens as without it.
/// </summary>
[Trait("Category", "EndToEnd")]
public sealed class ContributionJourneyTests(PackageFeed feed)
{
    // The journeys' NuGet.config maps Sgl.* to the local feed, so the vendor's package id starts with it here.
    private const string PackageName = "Sgl.Contribution.FastAttn";

    private const string GenerateProgram = """
        using Sgl.Platforms.Serving;
        using Sgl.Runtime.Entrypoints;

        var result = Engine.Generate(new ServerArgs { MaxTotalTokens = 128 }, new GenerationRequest("The platform is", 24));
        Console.WriteLine("attention: " + result.Plan.AttentionBackend);
        foreach (var line in result.Plan.Contributions)
        {
            Console.WriteLine("contribution: " + line);
        }

        Console.WriteLine("tokens: " + string.Join(' ', result.OutputTokenIds));
        """;

    [Fact]
    public void A_packed_attention_contribution_to_cpu_serves_the_tiny_model_in_a_fresh_app_with_the_same_tokens()
    {
        var solution = Path.Combine(feed.Root, "apps", PackageName);
        feed.Dotnet(feed.Root, "new", "sgl-contribution", "--debug:custom-hive", feed.TemplateHive(), "-n", PackageName, "-o", solution,
            "--extends", "cpu", "--backend", "fastattn", "--vendor", "Acme Kernels", "--sgl-feed", feed.Feed);
        var test = feed.Dotnet(solution, "test");
        test.StandardOutput.Should().MatchRegex(@"Passed!\s+-\s+Failed:\s+0, Passed:\s+3,", "the generated checks pass out of the box");
        feed.Dotnet(solution, "pack", Path.Combine("src", PackageName), "-c", "Release");
        var package = Directory.GetFiles(Path.Combine(solution, "artifacts", "packages"), PackageName + ".*.nupkg").Single();
        File.Copy(package, Path.Combine(feed.Feed, Path.GetFileName(package)), overwrite: true);

        var app = feed.NewProject("FastAttnConsole");
        feed.Dotnet(app, "add", "package", "Sgl.Runtime");
        feed.Dotnet(app, "add", "package", PackageName);
        File.WriteAllText(Path.Combine(app, "Program.cs"), GenerateProgram);
        feed.Dotnet(app, "build", "-c", "Release");

        var through = Run(app, contributions: null);
        var without = Run(app, contributions: "none");

        through.Should().Contain("attention: fastattn")
            .And.Contain($"contribution: attention backend 'fastattn' ({PackageName}");
        without.Should().Contain("attention: simd").And.NotContain("fastattn");
        Tokens(through).Should().NotBeEmpty().And.Be(Tokens(without));
    }

    private string Run(string app, string? contributions)
    {
        var environment = new Dictionary<string, string?>(feed.On(feed.BareMachine)) { ["SGL_PLATFORM_CONTRIBUTIONS"] = contributions };
        return DotnetCommand.Dotnet(app, environment, "run", "-c", "Release", "--no-build").EnsureSuccess().StandardOutput;
    }

    private static string Tokens(string output) =>
        output.Split('\n').Single(l => l.StartsWith("tokens: ", StringComparison.Ordinal))["tokens: ".Length..].Trim();
}
