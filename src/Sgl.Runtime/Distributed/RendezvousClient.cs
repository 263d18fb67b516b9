using System.Buffers.Binary;
using System.Globalization;
using System.Net.Sockets;
using Sgl.Platforms.Serving;

namespace Sgl.Runtime.Distributed;

/// <summary>A worker's connection to the launcher's <see cref="RendezvousServer"/>.</summary>
internal sealed class RendezvousClient : GroupRendezvous, IDisposable
{
    private readonly TcpClient _client;
    private readonly NetworkStream _stream;
    private readonly Lock _gate = new();

    private RendezvousClient(string address, TcpClient client)
    {
        Address = address;
        _client = client;
        _stream = client.GetStream();
    }

    /// <inheritdoc />
    public override string Address { get; }

    /// <summary>Connects as <paramref name="rank"/> and proves it holds <paramref name="secretHex"/>.</summary>
    /// <exception cref="IOException">The store cannot be reached, or it refused the secret.</exception>
    public static RendezvousClient Connect(string address, string secretHex, int rank, TimeSpan timeout)
    {
        var endpoint = RendezvousServer.ParseAddress(address);
        byte[] secret;
        try
        {
            secret = Convert.FromHexString(secretHex);
        }
        catch (FormatException)
        {
            throw new IOException("The rendezvous secret handed to this worker is not hex; start workers through 'sgl launch'.");
        }

        var client = new TcpClient(endpoint.AddressFamily) { NoDelay = true };
        try
        {
            using (var connecting = new CancellationTokenSource(timeout))
            {
                client.ConnectAsync(endpoint, connecting.Token).AsTask().GetAwaiter().GetResult();
            }

            var stream = client.GetStream();
            Span<byte> hello = stackalloc byte[4 + 1 + RendezvousWire.SecretBytes + 4];
            RendezvousWire.Magic.CopyTo(hello);
            hello[4] = RendezvousWire.Version;
            secret.AsSpan(0, Math.Min(secret.Length, RendezvousWire.SecretBytes)).CopyTo(hello[5..]);
            BinaryPrimitives.WriteInt32LittleEndian(hello[^4..], rank);
            stream.Write(hello);
            stream.ReadTimeout = (int)timeout.TotalMilliseconds;
            if (stream.ReadByte() != RendezvousWire.Accepted)
            {
                throw new IOException($"The rendezvous store at {address} refused this worker (wrong secret); start workers through 'sgl launch'.");
            }

            stream.ReadTimeout = Timeout.Infinite;
            return new RendezvousClient(address, client);
        }
        catch (Exception e) when (e is SocketException or OperationCanceledException)
        {
            client.Dispose();
            throw new IOException($"Cannot reach the rendezvous store at {address}: {e.Message}", e);
        }
        catch
        {
            client.Dispose();
            throw;
        }
    }

    /// <inheritdoc />
    public override void Publish(string key, ReadOnlySpan<byte> value)
    {
        if (value.Length > MaxValueBytes)
        {
            throw new ArgumentException(string.Create(CultureInfo.InvariantCulture, $"A rendezvous value is at most {MaxValueBytes} bytes; got {value.Length}."), nameof(value));
        }

        lock (_gate)
        {
            _stream.WriteByte(RendezvousWire.Publish);
            RendezvousWire.WriteKey(_stream, key);
            RendezvousWire.WriteValue(_stream, value);
            var answer = _stream.ReadByte();
            if (answer < 0)
            {
                throw new IOException($"The rendezvous store at {Address} closed the connection.");
            }

            if (answer == RendezvousWire.AlreadyPublished)
            {
                throw new InvalidOperationException($"The rendezvous key '{key}' was already published by another rank.");
            }
        }
    }

    /// <inheritdoc />
    public override byte[] Read(string key, TimeSpan timeout, CancellationToken cancellation)
    {
        lock (_gate)
        {
            _stream.WriteByte(RendezvousWire.Read);
            RendezvousWire.WriteKey(_stream, key);
            using var waiting = CancellationTokenSource.CreateLinkedTokenSource(cancellation);
            waiting.CancelAfter(timeout);
            try
            {
                var length = new byte[4];
                _stream.ReadExactlyAsync(length, waiting.Token).AsTask().GetAwaiter().GetResult();
                var count = BinaryPrimitives.ReadInt32LittleEndian(length);
                if (count is < 0 or > MaxValueBytes)
                {
                    throw new IOException($"The rendezvous store at {Address} sent a value of {count} bytes.");
                }

                var value = new byte[count];
                _stream.ReadExactlyAsync(value, waiting.Token).AsTask().GetAwaiter().GetResult();
                return value;
            }
            catch (OperationCanceledException) when (!cancellation.IsCancellationRequested)
            {
                // The connection is mid-request now; nothing more can be asked on it.
                _client.Dispose();
                throw new TimeoutException(string.Create(CultureInfo.InvariantCulture,
                    $"No rank published '{key}' at the rendezvous store {Address} within {timeout.TotalSeconds:0} s."));
            }
            catch (EndOfStreamException e)
            {
                throw new IOException($"The rendezvous store at {Address} closed the connection.", e);
            }
        }
    }

    public void Dispose() => _client.Dispose();
}
