using Sgl.Platforms.Discovery;
using Sgl.Platforms.Isolation;
using Sgl.Platforms.Selection;

namespace Sgl.Platforms.Tests.Isolation;

/// <summary>The parent's end of the probe host's result pipe accepts one answer per request and nothing else.</summary>
public sealed class ProbeResultChannelTests
{
    private static PlatformCandidate Candidate(string name) => new()
    {
        Name = name,
        Metadata = new PlatformMetadata { Name = name },
        Source = CandidateSource.DevPath,
        AssemblyDisplay = name,
        Version = "1.0.0",
    };

    private static string Line(string name, string token, string status = "NotPresent") =>
        $$"""{"name":"{{name}}","status":"{{status}}","reason":"r","probeMs":1,"devices":[],"token":"{{token}}"}""";

    private static (ProbeResultChannel Channel, PlatformCandidate Cuda, PlatformCandidate Acme) Channel()
    {
        var cuda = Candidate("cuda");
        var acme = Candidate("acme");
        return (new ProbeResultChannel(new Dictionary<string, PlatformCandidate> { ["t-cuda"] = cuda, ["t-acme"] = acme }), cuda, acme);
    }

    [Fact]
    public void One_result_per_candidate_with_its_token_is_accepted()
    {
        var (channel, cuda, acme) = Channel();

        channel.ReadAll(new StringReader(Line("cuda", "t-cuda") + "\n" + Line("acme", "t-acme") + "\n"));

        var (results, violations) = channel.Snapshot();
        violations.Should().BeEmpty();
        results.Keys.Should().BeEquivalentTo([cuda, acme]);
    }

    [Theory]
    [InlineData("a second result", "cuda", "t-cuda", "a second result for 'cuda'")]
    [InlineData("an unknown token", "cuda", "guessed", "did not ask this probe host for")]
    [InlineData("another candidate's token", "cuda", "t-acme", "did not ask this probe host for")]
    public void Anything_but_the_one_answer_is_a_violation_and_never_replaces_it(string what, string name, string token, string expected)
    {
        var (channel, cuda, _) = Channel();

        channel.ReadAll(new StringReader(Line("cuda", "t-cuda") + "\n" + Line(name, token, "Available") + "\n"));

        var (results, violations) = channel.Snapshot();
        violations.Should().ContainSingle(what).Which.Should().Contain(expected);
        results[cuda].Status.Should().Be(CandidateStatus.NotPresent, "the first answer stands");
    }

    [Fact]
    public void A_line_that_is_not_a_result_or_is_too_long_is_a_violation()
    {
        var (channel, _, _) = Channel();

        channel.ReadAll(new StringReader("vendor banner\n" + new string('x', ProbeResultChannel.MaxLineChars + 10) + "\n" + Line("acme", "t-acme")));

        var (results, violations) = channel.Snapshot();
        violations.Should().HaveCount(2);
        violations[0].Should().Contain("not a result").And.Contain("vendor banner");
        violations[1].Should().Contain("longer than");
        results.Should().ContainSingle("the last line, without a newline, is still read");
    }
}
