using System.Text.RegularExpressions;

namespace Sgl.Platforms.EndToEnd.Tests;

/// <summary>
/// The README's own commands, run as printed from the root of a copy of the repository (its tracked and
/// untracked-but-not-ignored files: what a fresh clone holds), so the repository's Directory.Packages.props,
/// NuGet.config and .editorconfig apply as they do for a user. The journeys in <see cref="TemplateJourneyTests"/>
/// run in a temporary folder and could not see that the template broke inside a clone (NU1008).
/// </summary>
/// <remarks>
/// The one departure from the printed text: <c>eng/pack.sh</c> is not run again, because the fixture has just
/// packed the same sources; its packages are copied to <c>artifacts/packages</c>, where the script puts them.
/// <c>DOTNET_CLI_HOME</c> points at a folder of the test's own, so <c>dotnet new install</c> and
/// <c>dotnet tool install --global</c> change nothing in the user's home.
/// </remarks>
[Trait("Category", "EndToEnd")]
public sealed partial class ReadmeJourneyTests(PackageFeed feed)
{
    [Fact]
    public void The_readme_vendor_journey_runs_as_printed_from_the_repository_root_and_leaves_the_tracked_tree_clean()
    {
        var clone = CopyOfRepository("vendor");
        var block = ReadmeBlockContaining(clone, "dotnet new sgl-platform");
        block.Should().Contain("-o artifacts/", "the journey keeps the generated plugin out of the tracked tree");

        var result = Bash(clone, block);

        result.ExitCode.Should().Be(0, $"the README's vendor journey must work as printed:\n{block}\n{result.StandardOutput}\n{result.StandardError}");
        result.StandardOutput.Should().MatchRegex(@"Passed!\s+-\s+Failed:\s+0, Passed:\s+\d+", "the generated conformance suite passes inside the clone");
        Directory.GetFiles(Path.Combine(clone, "artifacts", "Sgl.Platform.Acme", "artifacts", "packages"), "Sgl.Platform.Acme.*.nupkg").Should().ContainSingle();
        Untracked(clone).Should().BeEmpty("what the journey generates stays out of the tracked tree (artifacts/ is ignored)");
    }

    [Fact]
    public void The_readme_tool_install_puts_a_working_sgl_on_path()
    {
        var clone = CopyOfRepository("tool");
        var block = ReadmeBlockContaining(clone, "eng/install-sgl.sh");
        var install = block.Split('\n').Single(l => l.StartsWith("eng/install-sgl.sh", StringComparison.Ordinal));

        var result = Bash(clone, install);

        result.ExitCode.Should().Be(0, $"{install}\n{result.StandardOutput}\n{result.StandardError}");
        var sgl = Path.Combine(CliHome(clone), ".dotnet", "tools", "sgl");
        File.Exists(sgl).Should().BeTrue("a global tool lands in $DOTNET_CLI_HOME/.dotnet/tools, which the script tells the user to put on PATH");
        result.StandardOutput.Should().Contain(Path.GetDirectoryName(sgl)!);

        var launch = DotnetCommand.Run(sgl, clone, feed.On(feed.BareMachine), "launch", "--max-new-tokens", "4");
        launch.ExitCode.Should().Be(0, launch.StandardError);
        launch.StandardOutput.Should().Contain("platform selection: cpu").And.Contain("generated 4 tokens");
        var typo = DotnetCommand.Run(sgl, clone, feed.On(feed.BareMachine), "lauch");
        typo.ExitCode.Should().Be(2);
        typo.StandardError.Should().Contain("Did you mean 'launch'?");
        Untracked(clone).Should().BeEmpty("the tool's package goes to artifacts/packages, which is ignored");
    }

    /// <summary>The README's fenced shell block that contains <paramref name="marker"/>, without comments.</summary>
    private static string ReadmeBlockContaining(string clone, string marker)
    {
        var readme = File.ReadAllText(Path.Combine(clone, "README.md"));
        var block = ShellBlock().Matches(readme).Select(m => m.Groups[1].Value).Single(b => b.Contains(marker, StringComparison.Ordinal));
        return string.Join('\n', block.Split('\n').Select(l => CommentAtEnd().Replace(l, "")).Where(l => l.Length > 0));
    }

    /// <summary>Runs <paramref name="script"/> with bash in <paramref name="clone"/>, stopping at the first failing command.</summary>
    private CommandResult Bash(string clone, string script)
    {
        var lines = script.Split('\n').Select(l => l.StartsWith("eng/pack.sh", StringComparison.Ordinal) ? "# eng/pack.sh: done by the fixture" : l);
        var environment = new Dictionary<string, string?>(feed.Environment) { ["DOTNET_CLI_HOME"] = CliHome(clone) };
        return DotnetCommand.Run("bash", clone, environment, "-euo", "pipefail", "-c", string.Join('\n', lines));
    }

    private static string CliHome(string clone) => clone + "-cli-home";

    /// <summary>The repository as a user's clone holds it, indexed by git so the journey's leftovers show as untracked, with the fixture's packages in artifacts/packages.</summary>
    private string CopyOfRepository(string name)
    {
        var clone = Path.Combine(feed.Root, "readme-" + name);
        var files = DotnetCommand.Run("git", feed.RepositoryRoot, feed.Environment, "ls-files", "-z", "--cached", "--others", "--exclude-standard").EnsureSuccess();
        foreach (var file in files.StandardOutput.Split('\0', StringSplitOptions.RemoveEmptyEntries).Where(f => File.Exists(Path.Combine(feed.RepositoryRoot, f))))
        {
            var target = Path.Combine(clone, file);
            Directory.CreateDirectory(Path.GetDirectoryName(target)!);
            File.Copy(Path.Combine(feed.RepositoryRoot, file), target);
        }

        var packages = Path.Combine(clone, "artifacts", "packages");
        Directory.CreateDirectory(packages);
        foreach (var package in Directory.GetFiles(feed.Feed, "*.nupkg"))
        {
            File.Copy(package, Path.Combine(packages, Path.GetFileName(package)));
        }

        Directory.CreateDirectory(CliHome(clone));
        DotnetCommand.Run("git", clone, feed.Environment, "init", "--quiet").EnsureSuccess();
        DotnetCommand.Run("git", clone, feed.Environment, "add", "--all").EnsureSuccess();
        return clone;
    }

    private List<string> Untracked(string clone) =>
        DotnetCommand.Run("git", clone, feed.Environment, "status", "--porcelain", "--untracked-files=all").EnsureSuccess()
            .StandardOutput.Split('\n').Where(l => l.StartsWith("??", StringComparison.Ordinal)).ToList();

    [GeneratedRegex(@"```(?:sh|bash)\n(.*?)```", RegexOptions.Singleline)]
    private static partial Regex ShellBlock();

    [GeneratedRegex(@"\s+#\s.*$")]
    private static partial Regex CommentAtEnd();
}
