namespace Sgl.Runtime.Tests.Architecture;

public sealed class NoHardwareBranchesTests
{
    [Fact]
    public void The_runtimes_never_branch_on_the_hardware_kind()
    {
        var repo = FindRepositoryRoot();
        var files = new[] { "src/Sgl.Runtime", "src/Sgl.Diffusion" }
            .SelectMany(dir => Directory.EnumerateFiles(Path.Combine(repo, dir), "*.cs", SearchOption.AllDirectories))
            .Where(f => !f.Contains("/obj/", StringComparison.Ordinal) && !f.Contains("/bin/", StringComparison.Ordinal))
            .ToArray();

        var violations = files
            .SelectMany(f => HardwareBranchScanner.Scan(Path.GetRelativePath(repo, f), File.ReadAllText(f)))
            .ToArray();

        files.Should().HaveCountGreaterThan(10, "the scan must actually see the runtimes' sources");
        violations.Should().BeEmpty("runtimes ask the platform for what they need instead of checking which hardware it is");
    }

    [Theory]
    [InlineData("if (platform.IsCuda) { }")]
    [InlineData("if (CurrentPlatform.Instance.Kind == PlatformEnum.Npu) { }")]
    [InlineData("var useTriton = DeviceChecks.IsRocm();")]
    [InlineData("if (platform.DeviceName == \"cuda\") { }")]
    [InlineData("if (name.Equals(\"cpu\")) { }")]
    [InlineData("if (platform is CudaPlatform) { }")]
    [InlineData("var family = _platform.Kind;")]
    [InlineData("switch (platform.Metadata.Kind) { }")]
    public void The_scan_catches_hardware_branches(string line)
    {
        HardwareBranchScanner.Scan("Example.cs", line).Should().ContainSingle();
    }

    [Theory]
    [InlineData("var backends = platform.GetAttentionBackends();")]
    [InlineData("// On cuda this would be a graph runner; platform.IsCuda is not asked.")]
    [InlineData("new Option<bool>(\"--disable-cuda-graph\")")]
    [InlineData(".GroupBy(c => c.Operation.Kind)")]
    public void The_scan_leaves_platform_questions_and_comments_alone(string line)
    {
        HardwareBranchScanner.Scan("Example.cs", line).Should().BeEmpty();
    }

    private static string FindRepositoryRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "Platforms.sln")))
            {
                return dir.FullName;
            }
        }

        throw new InvalidOperationException($"Platforms.sln not found above {AppContext.BaseDirectory}.");
    }
}
