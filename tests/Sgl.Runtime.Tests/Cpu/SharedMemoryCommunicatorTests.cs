using System.Collections.Concurrent;
using System.Text;
using Sgl.Platforms.Devices;
using Sgl.Platforms.Serving;
using Sgl.Runtime.Distributed;

namespace Sgl.Runtime.Tests.Cpu;

/// <summary>
/// The cpu communicator of worker processes. Each rank here is a thread with its own store connection, segment mapping
/// and group state, exactly what a worker process has; the process-level run is in Sgl.Cli.Tests.
/// </summary>
public sealed class SharedMemoryCommunicatorTests
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(30);

    [Theory]
    [InlineData(2, 1000)]
    [InlineData(3, (1 << 18) + 5)] // longer than one slot: reduced in chunks
    public void Ranks_that_share_only_the_segment_sum_in_rank_order_and_match_the_in_process_communicator_bit_for_bit(int worldSize, int length)
    {
        using var cpu = new FakeCpu(cores: 4);
        using var server = RendezvousServer.Start("127.0.0.1:0", maxConnections: worldSize);
        float[] Input(int rank) => Enumerable.Range(0, length).Select(i => 0.1f * (rank + 1) * (i % 977) + 1f / (rank + 3)).ToArray();

        var shared = RunRanks(worldSize, rank =>
        {
            using var store = RendezvousClient.Connect(server.Address, server.SecretHex, rank, Timeout);
            var context = new DeviceCommunicatorContext(rank, worldSize, rank, new ConcurrentDictionary<string, object>()) { Rendezvous = store };
            return AllReduce(cpu, context, Input(rank));
        });
        var group = new ConcurrentDictionary<string, object>();
        var inProcess = RunRanks(worldSize, rank => AllReduce(cpu, new DeviceCommunicatorContext(rank, worldSize, rank, group), Input(rank)));

        shared[0].Backend.Should().Be("shm");
        for (var rank = 0; rank < worldSize; rank++)
        {
            shared[rank].Values.Should().Equal(inProcess[0].Values, "the same additions in the same order give the same bits");
        }

        shared[0].Values[7].Should().BeApproximately(Enumerable.Range(0, worldSize).Sum(r => Input(r)[7]), 1e-4f);
        foreach (var value in group.Values.OfType<IDisposable>())
        {
            value.Dispose();
        }
    }

    [Fact]
    public void The_segment_is_unlinked_once_every_rank_has_mapped_it()
    {
        using var cpu = new FakeCpu(cores: 4);
        using var server = RendezvousServer.Start("127.0.0.1:0", maxConnections: 2);

        RunRanks(2, rank =>
        {
            using var store = RendezvousClient.Connect(server.Address, server.SecretHex, rank, Timeout);
            return AllReduce(cpu, new DeviceCommunicatorContext(rank, 2, rank, new ConcurrentDictionary<string, object>()) { Rendezvous = store }, [1f, 2f]);
        });

        var path = Encoding.UTF8.GetString(server.TryRead("cpu.shm.segment")!);
        path.Should().MatchRegex("^/dev/shm/sgl-tp-[0-9a-f]{32}$");
        File.Exists(path).Should().BeFalse("nothing is left behind in /dev/shm");
    }

    [Theory]
    [InlineData("world-readable")]
    [InlineData("symlink")]
    [InlineData("foreign-name")]
    [System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
    public void A_rank_refuses_a_published_segment_that_another_user_could_have_planted_or_could_read(string planted)
    {
        using var cpu = new FakeCpu(cores: 4);
        using var server = RendezvousServer.Start("127.0.0.1:0", maxConnections: 2);
        var name = "/dev/shm/sgl-tp-" + Convert.ToHexStringLower(System.Security.Cryptography.RandomNumberGenerator.GetBytes(16));
        var target = Path.Combine(Path.GetTempPath(), Guid.NewGuid().ToString("N"));
        File.WriteAllBytes(target, new byte[8 << 20]);
        try
        {
            var path = planted switch
            {
                "world-readable" => Plant(name, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.OtherRead),
                "symlink" => File.CreateSymbolicLink(name, target).FullName,
                _ => target,
            };
            server.Publish("cpu.shm.segment", Encoding.UTF8.GetBytes(path));
            using var store = RendezvousClient.Connect(server.Address, server.SecretHex, 1, Timeout);

            var join = () => cpu.Platform.Serving.CreateCommunicator(
                cpu.Platform.OpenDevice(1, 1)!, new DeviceCommunicatorContext(1, 2, 1, new ConcurrentDictionary<string, object>()) { Rendezvous = store });

            join.Should().Throw<Exception>().Where(e => e is UnauthorizedAccessException || e is InvalidDataException)
                .WithMessage(planted == "foreign-name" ? "*is not one rank 0 creates*" : "*is not a regular file of this user with mode 0600*refusing to map it.");
        }
        finally
        {
            File.Delete(name);
            File.Delete(target);
        }
    }

    [System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
    private static string Plant(string path, UnixFileMode mode)
    {
        using (var stream = new FileStream(path, new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write, UnixCreateMode = mode }))
        {
            stream.SetLength(8 << 20);
        }

        File.SetUnixFileMode(path, mode);
        return path;
    }

    private sealed record Reduced(string Backend, float[] Values);

    private static Reduced AllReduce(FakeCpu cpu, DeviceCommunicatorContext context, float[] input)
    {
        using var device = cpu.Platform.OpenDevice(context.Rank, context.Rank)!;
        using var communicator = cpu.Platform.Serving.CreateCommunicator(device, context)!;
        using var buffer = device.Allocate(ElementType.Float32, new TensorShape(1, input.Length));
        device.CopyToDevice<float>(input, buffer);
        communicator.AllReduce(new AllReduceOperation(buffer));
        var output = new float[input.Length];
        device.CopyToHost<float>(buffer, output);
        return new Reduced(communicator.Backend, output);
    }

    private static T[] RunRanks<T>(int worldSize, Func<int, T> body)
    {
        var results = new T[worldSize];
        var errors = new Exception?[worldSize];
        var threads = Enumerable.Range(0, worldSize).Select(rank => new Thread(() =>
        {
            try
            {
                results[rank] = body(rank);
            }
            catch (Exception e)
            {
                errors[rank] = e;
            }
        })).ToArray();
        foreach (var thread in threads)
        {
            thread.Start();
        }

        foreach (var thread in threads)
        {
            thread.Join();
        }

        errors.Where(e => e is not null).Should().BeEmpty();
        return results;
    }
}
