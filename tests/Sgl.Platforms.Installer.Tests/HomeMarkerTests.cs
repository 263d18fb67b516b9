using Sgl.Platforms.Installer.Tests.Support;

namespace Sgl.Platforms.Installer.Tests;

/// <summary>A plugins home is marked as one, and operations delete only what they created.</summary>
public sealed class HomeMarkerTests
{
    [Fact]
    public async Task Installing_or_restoring_into_a_folder_that_holds_other_files_is_refused_and_deletes_nothing()
    {
        using var s = new InstallScenario();
        s.Feed.AddPlugin("Sgl.Platform.Acme", "acme");
        Directory.CreateDirectory(Path.Combine(s.Home, "notes", "2024"));
        File.WriteAllText(Path.Combine(s.Home, "notes", "2024", "todo.txt"), "mine");
        File.WriteAllText(Path.Combine(s.Home, "photo.jpg"), "mine too");
        var before = s.Snapshot();

        foreach (var operation in new Func<Task>[]
        {
            () => s.InstallAsync("Sgl.Platform.Acme"),
            () => s.Installer().RestoreAsync(cancellationToken: TestContext.Current.CancellationToken),
            () => s.Installer().RemoveAsync("Sgl.Platform.Acme", TestContext.Current.CancellationToken),
        })
        {
            var thrown = await FluentActions.Awaiting(operation).Should().ThrowAsync<PluginInstallException>();
            thrown.Which.Error.Should().Be(PluginInstallError.NotAPluginsHome, thrown.Which.Message);
            thrown.Which.Message.Should().Contain(s.Home).And.Contain("not a plugins home").And.Contain("SGL_PLATFORMS_HOME");
        }

        s.Snapshot().Should().Equal(before);
        Directory.EnumerateFileSystemEntries(s.Home).Select(Path.GetFileName).Should().BeEquivalentTo("notes", "photo.jpg");
    }

    [Fact]
    public async Task Through_sgl_a_mistyped_home_pointing_at_a_project_folder_exits_3_and_the_project_is_intact()
    {
        using var s = new InstallScenario();
        s.Feed.AddPlugin("Sgl.Platform.Acme", "acme");
        var source = Path.Combine(s.WorkingDirectory, "src", "App");
        Directory.CreateDirectory(source);
        File.WriteAllText(Path.Combine(source, "Program.cs"), "// the user's code");

        var result = await SglCli.RunAsync(s, new Dictionary<string, string?> { ["SGL_PLATFORMS_HOME"] = "." }, "platforms", "install", "Sgl.Platform.Acme", "--source", "local");

        result.ExitCode.Should().Be(3, result.Output);
        result.Error.Should().Contain(s.WorkingDirectory).And.Contain("not a plugins home");
        File.Exists(Path.Combine(source, "Program.cs")).Should().BeTrue();
        Directory.EnumerateFileSystemEntries(s.WorkingDirectory).Select(Path.GetFileName).Should().BeEquivalentTo("NuGet.config", "src");
    }

    [Fact]
    public async Task A_new_or_empty_folder_becomes_a_marked_home_and_an_unmarked_home_that_holds_only_its_own_plugins_is_adopted()
    {
        using var s = new InstallScenario();
        s.Feed.AddPlugin("Sgl.Platform.Acme", "acme");
        s.Feed.AddPlugin("Sgl.Platform.Bolt", "bolt");

        await s.InstallAsync("Sgl.Platform.Acme");

        File.Exists(Path.Combine(s.Home, ".sgl-platforms-home")).Should().BeTrue();

        // A home written before homes were marked: only a lock file, its plugin folders and the installer's own files.
        File.Delete(Path.Combine(s.Home, ".sgl-platforms-home"));
        (await s.InstallAsync("Sgl.Platform.Bolt")).Platforms.Should().Equal("bolt");
        File.Exists(Path.Combine(s.Home, ".sgl-platforms-home")).Should().BeTrue();
    }

    [Fact]
    public async Task Folders_in_a_home_that_no_operation_created_are_left_alone_while_an_interrupted_install_is_still_cleaned_up()
    {
        using var s = new InstallScenario();
        s.Feed.AddPlugin("Sgl.Platform.Acme", "acme", "1.0.0");
        s.Feed.AddPlugin("Sgl.Platform.Acme", "acme", "2.0.0");
        s.Feed.AddPlugin("Sgl.Platform.Bolt", "bolt");
        await s.InstallAsync("Sgl.Platform.Acme", "1.0.0");
        var foreign = Path.Combine(s.Home, "backups", "2024-01-01");
        Directory.CreateDirectory(foreign);
        File.WriteAllText(Path.Combine(foreign, "lock.json"), "an operator's copy");
        var crashed = s.Installer();
        crashed.FaultInjection = p => p == InstallFaultPoint.BeforeLockCommit ? throw new InvalidOperationException("simulated crash") : Task.CompletedTask;
        await FluentActions.Awaiting(() => crashed.InstallAsync(new PluginInstallRequest("Sgl.Platform.Acme") { Version = "2.0.0" }, cancellationToken: TestContext.Current.CancellationToken))
            .Should().ThrowAsync<InvalidOperationException>();

        await s.InstallAsync("Sgl.Platform.Bolt");
        await s.Installer().RestoreAsync(cancellationToken: TestContext.Current.CancellationToken);
        await s.Installer().RemoveAsync("Sgl.Platform.Bolt", TestContext.Current.CancellationToken);

        File.ReadAllText(Path.Combine(foreign, "lock.json")).Should().Be("an operator's copy");
        Directory.GetDirectories(Path.Combine(s.Home, "sgl.platform.acme")).Select(Path.GetFileName).Should().Equal("1.0.0");
    }
}
