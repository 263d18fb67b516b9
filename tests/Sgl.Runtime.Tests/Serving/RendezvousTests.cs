using System.Net;
using System.Net.Sockets;
using System.Text;
using Sgl.Runtime.Distributed;
using Sgl.Runtime.ServerArgs;

namespace Sgl.Runtime.Tests.Serving;

public sealed class RendezvousTests
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(20);

    [Fact]
    public async Task A_value_one_rank_publishes_reaches_a_rank_that_asked_for_it_first()
    {
        using var server = RendezvousServer.Start("127.0.0.1:0", maxConnections: 4);
        using var early = RendezvousClient.Connect(server.Address, server.SecretHex, 1, Timeout);
        using var late = RendezvousClient.Connect(server.Address, server.SecretHex, 0, Timeout);

        var waiting = Task.Run(() => early.Read("nccl.id", Timeout, CancellationToken.None), TestContext.Current.CancellationToken);
        await Task.Delay(100, TestContext.Current.CancellationToken);
        waiting.IsCompleted.Should().BeFalse("nothing was published yet");
        late.Publish("nccl.id", "abc"u8);

        Encoding.UTF8.GetString(await waiting).Should().Be("abc");
        server.TryRead("nccl.id").Should().Equal("abc"u8.ToArray(), "the launcher sees what its workers publish");
    }

    [Fact]
    public void A_key_is_written_once_so_no_rank_can_replace_what_another_published()
    {
        using var server = RendezvousServer.Start("127.0.0.1:0", maxConnections: 4);
        using var first = RendezvousClient.Connect(server.Address, server.SecretHex, 0, Timeout);
        using var second = RendezvousClient.Connect(server.Address, server.SecretHex, 1, Timeout);
        first.Publish("cpu.shm.segment", "/dev/shm/ours"u8);

        var replace = () => second.Publish("cpu.shm.segment", "/tmp/theirs"u8);

        replace.Should().Throw<InvalidOperationException>().WithMessage("*'cpu.shm.segment' was already published*");
        second.Read("cpu.shm.segment", Timeout, CancellationToken.None).Should().Equal("/dev/shm/ours"u8.ToArray());
    }

    [Fact]
    public void A_process_without_the_launchs_secret_is_turned_away_and_learns_nothing()
    {
        using var server = RendezvousServer.Start("127.0.0.1:0", maxConnections: 4);
        server.Publish("sgl/job", "secret job"u8);
        var wrongSecret = Convert.ToHexString(new byte[RendezvousWire.SecretBytes]);

        var connect = () => RendezvousClient.Connect(server.Address, wrongSecret, 0, Timeout);

        connect.Should().Throw<IOException>().WithMessage("*refused this worker (wrong secret)*");
    }

    [Fact]
    public void A_key_nobody_publishes_times_out_naming_the_key_and_the_store()
    {
        using var server = RendezvousServer.Start("127.0.0.1:0", maxConnections: 4);
        using var client = RendezvousClient.Connect(server.Address, server.SecretHex, 0, Timeout);

        var read = () => client.Read("never", TimeSpan.FromMilliseconds(200), CancellationToken.None);

        read.Should().Throw<TimeoutException>().WithMessage($"No rank published 'never' at the rendezvous store {server.Address} within 0 s.");
    }

    [Fact]
    public void A_port_already_in_use_is_named_with_what_to_do()
    {
        using var squatter = new TcpListener(IPAddress.Loopback, 0);
        squatter.Start();
        var port = ((IPEndPoint)squatter.LocalEndpoint).Port;

        var start = () => RendezvousServer.Start($"127.0.0.1:{port}", maxConnections: 4);

        start.Should().Throw<InvalidServerArgsException>()
            .WithMessage($"--dist-init-addr 127.0.0.1:{port}: port {port} on 127.0.0.1 is already in use; pick a free port, or leave --dist-init-addr out to take one.");
    }

    [Theory]
    [InlineData("127.0.0.1")]
    [InlineData("127.0.0.1:99999")]
    [InlineData("node-7:29500")]
    [InlineData(":29500")]
    public void A_malformed_address_is_refused_with_an_example(string address)
    {
        var start = () => RendezvousServer.Start(address, maxConnections: 4);

        start.Should().Throw<InvalidServerArgsException>().WithMessage($"--dist-init-addr '{address}' is not host:port*for example 127.0.0.1:29500.");
    }
}
