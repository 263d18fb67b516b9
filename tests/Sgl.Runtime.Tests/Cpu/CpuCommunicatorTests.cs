using System.Collections.Concurrent;
using Sgl.Platforms.Devices;
using Sgl.Platforms.Serving;

namespace Sgl.Runtime.Tests.Cpu;

public sealed class CpuCommunicatorTests
{
    [Theory]
    [InlineData(2)]
    [InlineData(4)]
    public void All_reduce_sums_across_ranks_on_separate_threads_and_every_rank_gets_the_same_bits(int worldSize)
    {
        using var cpu = new FakeCpu(cores: 4);
        var group = new ConcurrentDictionary<string, object>();
        const int Length = 1000;
        const int Rounds = 25;
        var results = new float[worldSize][][];

        var threads = Enumerable.Range(0, worldSize).Select(rank => new Thread(() =>
        {
            using var device = cpu.Platform.OpenDevice(rank, rank)!;
            using var communicator = cpu.Platform.Serving.CreateCommunicator(device, new DeviceCommunicatorContext(rank, worldSize, rank, group))!;
            using var buffer = device.Allocate(ElementType.Float32, new TensorShape(1, Length));
            var allReduce = new AllReduceOperation(buffer);
            results[rank] = new float[Rounds][];
            for (var round = 0; round < Rounds; round++)
            {
                device.CopyToDevice<float>(Enumerable.Range(0, Length).Select(i => 0.1f * (rank + 1) * (i + round)).ToArray(), buffer);
                communicator.AllReduce(allReduce);
                results[rank][round] = new float[Length];
                device.CopyToHost<float>(buffer, results[rank][round]);
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

        for (var round = 0; round < Rounds; round++)
        {
            var expected = Enumerable.Range(0, Length)
                .Select(i => Enumerable.Range(0, worldSize).Sum(r => 0.1 * (r + 1) * (i + round)))
                .ToArray();
            results[0][round].Select(v => (double)v).Should().Equal(expected, (a, b) => Math.Abs(a - b) <= 1e-3 * Math.Max(1, Math.Abs(b)));
            for (var rank = 1; rank < worldSize; rank++)
            {
                results[rank][round].Should().Equal(results[0][round], "every rank sums in the same rank order");
            }
        }

        foreach (var value in group.Values.OfType<IDisposable>())
        {
            value.Dispose();
        }
    }

    [Fact]
    public void A_rank_waiting_for_a_failed_rank_is_released_by_the_abort_token()
    {
        using var cpu = new FakeCpu(cores: 4);
        using var abort = new CancellationTokenSource();
        var group = new ConcurrentDictionary<string, object>();
        using var device = cpu.Platform.OpenDevice(0, 0)!;
        using var rank0 = cpu.Platform.Serving.CreateCommunicator(device, new DeviceCommunicatorContext(0, 2, 0, group) { Aborted = abort.Token })!;
        using var buffer = device.Allocate(ElementType.Float32, new TensorShape(1, 4));
        abort.CancelAfter(TimeSpan.FromMilliseconds(50));

        var act = () => rank0.AllReduce(new AllReduceOperation(buffer));

        act.Should().Throw<OperationCanceledException>();
    }
}
