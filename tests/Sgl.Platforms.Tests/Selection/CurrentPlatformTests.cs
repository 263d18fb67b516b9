using Sgl.Platforms.Testing;

namespace Sgl.Platforms.Tests.Selection;

/// <summary>These tests reset the process-wide resolution, so they must not run beside each other.</summary>
[CollectionDefinition(nameof(CurrentPlatformTests), DisableParallelization = true)]
public sealed class CurrentPlatformSerialGroup;

[Collection(nameof(CurrentPlatformTests))]
public sealed class CurrentPlatformTests : IDisposable
{
    private readonly FakeSystemRoot _root = new();

    public CurrentPlatformTests() => CurrentPlatform.ResetForTesting();

    public void Dispose()
    {
        CurrentPlatform.ResetForTesting();
        _root.Dispose();
    }

    [Fact]
    public void Many_threads_asking_at_once_get_one_resolution_and_the_same_platform()
    {
        var resolutions = 0;
        PlatformOptions Options()
        {
            Interlocked.Increment(ref resolutions);
            return new PlatformOptions { SystemRoot = _root.Root };
        }

        using var start = new Barrier(64);
        var platforms = new Platform[64];
        var errors = new Exception?[64];
        var threads = Enumerable.Range(0, 64).Select(i => new Thread(() =>
        {
            start.SignalAndWait();
            try
            {
                CurrentPlatform.Resolve(Options, logger: null);
                platforms[i] = CurrentPlatform.Instance;
            }
            catch (Exception e)
            {
                errors[i] = e;
            }
        })).ToList();
        threads.ForEach(t => t.Start());
        threads.ForEach(t => t.Join());

        errors.Should().OnlyContain(e => e == null);
        resolutions.Should().Be(1);
        platforms.Should().OnlyContain(p => ReferenceEquals(p, platforms[0]));
        platforms[0].DeviceName.Should().Be("cpu");
        CurrentPlatform.IsResolved.Should().BeTrue();
    }

    [Fact]
    public void The_first_resolution_wins_for_the_process()
    {
        var first = CurrentPlatform.Resolve(() => new PlatformOptions { SystemRoot = _root.Root }, logger: null);
        var second = CurrentPlatform.Resolve(() => throw new InvalidOperationException("must not run"), logger: null);

        second.Should().BeSameAs(first);
        CurrentPlatform.Report.Should().BeSameAs(first);
    }

    [Fact]
    public void A_failed_resolution_throws_the_selection_error_on_every_access()
    {
        CurrentPlatform.Resolve(() => new PlatformOptions { SystemRoot = _root.Root, Platform = "nosuch" }, logger: null);

        var access = () => CurrentPlatform.Instance;

        access.Should().Throw<PlatformConfigurationException>().WithMessage("*SGL_PLATFORM*'nosuch'*");
        access.Should().Throw<PlatformConfigurationException>();
    }

    [Fact]
    public async Task An_override_scope_swaps_the_platform_for_its_flow_only_and_restores_it()
    {
        CurrentPlatform.Resolve(() => new PlatformOptions { SystemRoot = _root.Root }, logger: null);
        var resolved = CurrentPlatform.Instance;
        var substitute = new Sgl.Platforms.BuiltIn.Hpu.HpuPlatform();

        using (CurrentPlatform.Override(substitute))
        {
            CurrentPlatform.Instance.Should().BeSameAs(substitute);
            (await Task.Run(() => CurrentPlatform.Instance)).Should().BeSameAs(substitute, "the scope flows into awaited work");
            Platform? seenElsewhere = null;
            var otherFlow = new Thread(() => seenElsewhere = CurrentPlatform.Instance);
            otherFlow.UnsafeStart();
            otherFlow.Join();
            seenElsewhere.Should().BeSameAs(resolved, "a thread outside the scope keeps the resolved platform");
        }

        CurrentPlatform.Instance.Should().BeSameAs(resolved);
    }
}
