using System.Buffers.Binary;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;
using Sgl.Runtime.ServerArgs;

namespace Sgl.Runtime.Distributed;

/// <summary>
/// The launcher's side of the rendezvous: a key-value store on a TCP port that only holders of the launch's secret
/// may use (every other connection is closed unanswered). Each key is written once. The launcher reads it in process
/// (<see cref="WaitAny"/>) for the workers' results and failures.
/// </summary>
internal sealed class RendezvousServer : IDisposable
{
    private readonly TcpListener _listener;
    private readonly byte[] _secret;
    private readonly int _maxConnections;
    private readonly Dictionary<string, byte[]> _values = new(StringComparer.Ordinal);
    private readonly List<TcpClient> _clients = [];
    private readonly CancellationTokenSource _stopping = new();
    private int _connections;

    private RendezvousServer(TcpListener listener, byte[] secret, int maxConnections)
    {
        _listener = listener;
        _secret = secret;
        _maxConnections = maxConnections;
        var endpoint = (IPEndPoint)listener.LocalEndpoint;
        Address = string.Create(CultureInfo.InvariantCulture, $"{FormatHost(endpoint.Address)}:{endpoint.Port}");
        var accept = new Thread(AcceptLoop) { IsBackground = true, Name = "sgl-rendezvous" };
        accept.Start();
    }

    /// <summary><c>host:port</c> the workers connect to.</summary>
    public string Address { get; }

    /// <summary>The secret, hex-encoded, for the workers' environment.</summary>
    public string SecretHex => Convert.ToHexString(_secret);

    /// <summary>Listens on <paramref name="address"/> (<c>host:port</c>; port 0 takes a free one).</summary>
    /// <exception cref="InvalidServerArgsException">The address is malformed, or the port is in use.</exception>
    public static RendezvousServer Start(string address, int maxConnections)
    {
        var endpoint = ParseAddress(address);
        var listener = new TcpListener(endpoint);
        try
        {
            listener.Start(maxConnections);
        }
        catch (SocketException e) when (e.SocketErrorCode == SocketError.AddressAlreadyInUse)
        {
            throw new InvalidServerArgsException(string.Create(CultureInfo.InvariantCulture,
                $"--dist-init-addr {address}: port {endpoint.Port} on {endpoint.Address} is already in use; pick a free port, or leave --dist-init-addr out to take one."));
        }
        catch (SocketException e)
        {
            throw new InvalidServerArgsException($"--dist-init-addr {address}: cannot listen there ({e.Message}); use an address of this machine, such as 127.0.0.1:0.");
        }

        return new RendezvousServer(listener, RandomNumberGenerator.GetBytes(RendezvousWire.SecretBytes), maxConnections);
    }

    /// <summary>Parses <c>host:port</c> where host is an IP address or <c>localhost</c>.</summary>
    /// <exception cref="InvalidServerArgsException">It is not.</exception>
    public static IPEndPoint ParseAddress(string address)
    {
        var colon = address.LastIndexOf(':');
        var host = colon > 0 ? address[..colon].Trim('[', ']') : "";
        if (colon <= 0
            || !int.TryParse(address.AsSpan(colon + 1), NumberStyles.None, CultureInfo.InvariantCulture, out var port) || port > IPEndPoint.MaxPort
            || !(host == "localhost" || IPAddress.TryParse(host, out _)))
        {
            throw new InvalidServerArgsException($"--dist-init-addr '{address}' is not host:port with an IP address (or localhost) and a port from 0 to 65535; for example 127.0.0.1:29500.");
        }

        return new IPEndPoint(host == "localhost" ? IPAddress.Loopback : IPAddress.Parse(host), port);
    }

    /// <summary>Publishes from the launcher itself.</summary>
    public void Publish(string key, ReadOnlySpan<byte> value)
    {
        lock (_values)
        {
            if (!_values.TryAdd(key, value.ToArray()))
            {
                throw new InvalidOperationException($"The rendezvous key '{key}' was already published.");
            }

            Monitor.PulseAll(_values);
        }
    }

    /// <summary>The value of <paramref name="key"/> if published, without waiting.</summary>
    public byte[]? TryRead(string key)
    {
        lock (_values)
        {
            return _values.GetValueOrDefault(key);
        }
    }

    /// <summary>The first published of <paramref name="keys"/>, waiting at most <paramref name="timeout"/>; null on timeout.</summary>
    public (string Key, byte[] Value)? WaitAny(IReadOnlyList<string> keys, TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        lock (_values)
        {
            while (true)
            {
                foreach (var key in keys)
                {
                    if (_values.TryGetValue(key, out var value))
                    {
                        return (key, value);
                    }
                }

                var left = deadline - DateTime.UtcNow;
                if (left <= TimeSpan.Zero || _stopping.IsCancellationRequested)
                {
                    return null;
                }

                Monitor.Wait(_values, left);
            }
        }
    }

    public void Dispose()
    {
        _stopping.Cancel();
        _listener.Stop();
        lock (_values)
        {
            Monitor.PulseAll(_values);
        }

        lock (_clients)
        {
            foreach (var client in _clients)
            {
                client.Dispose();
            }
        }
    }

    private static string FormatHost(IPAddress address) =>
        address.AddressFamily == AddressFamily.InterNetworkV6 ? $"[{address}]" : address.ToString();

    private void AcceptLoop()
    {
        while (!_stopping.IsCancellationRequested)
        {
            TcpClient client;
            try
            {
                client = _listener.AcceptTcpClient();
            }
            catch (Exception e) when (e is SocketException or ObjectDisposedException or InvalidOperationException)
            {
                return;
            }

            if (Interlocked.Increment(ref _connections) > _maxConnections)
            {
                client.Dispose();
                continue;
            }

            lock (_clients)
            {
                _clients.Add(client);
            }

            new Thread(() => Serve(client)) { IsBackground = true, Name = "sgl-rendezvous-peer" }.Start();
        }
    }

    private void Serve(TcpClient client)
    {
        try
        {
            client.NoDelay = true;
            using var stream = client.GetStream();
            // A peer has a few seconds to prove it is one of ours; it cannot hold a connection open for nothing.
            stream.ReadTimeout = 10_000;
            if (!Admit(stream))
            {
                return;
            }

            stream.ReadTimeout = Timeout.Infinite;
            stream.WriteByte(RendezvousWire.Accepted);
            while (!_stopping.IsCancellationRequested)
            {
                var op = stream.ReadByte();
                if (op < 0)
                {
                    return;
                }

                var key = RendezvousWire.ReadKey(stream);
                if (op == RendezvousWire.Publish)
                {
                    var value = RendezvousWire.ReadValue(stream);
                    bool added;
                    lock (_values)
                    {
                        added = _values.TryAdd(key, value);
                        Monitor.PulseAll(_values);
                    }

                    stream.WriteByte(added ? RendezvousWire.Published : RendezvousWire.AlreadyPublished);
                }
                else if (op == RendezvousWire.Read)
                {
                    byte[]? value;
                    lock (_values)
                    {
                        while (!_values.TryGetValue(key, out value) && !_stopping.IsCancellationRequested)
                        {
                            Monitor.Wait(_values);
                        }
                    }

                    if (value is null)
                    {
                        return;
                    }

                    RendezvousWire.WriteValue(stream, value);
                }
                else
                {
                    return; // not our protocol: drop the peer
                }
            }
        }
        catch (Exception e) when (e is IOException or InvalidDataException or EndOfStreamException or ObjectDisposedException or SocketException)
        {
            // A peer that breaks the protocol or goes away loses its connection; the store and the others go on.
        }
        finally
        {
            client.Dispose();
        }
    }

    private bool Admit(Stream stream)
    {
        Span<byte> hello = stackalloc byte[4 + 1 + RendezvousWire.SecretBytes + 4];
        stream.ReadExactly(hello);
        return hello[..4].SequenceEqual(RendezvousWire.Magic)
            && hello[4] == RendezvousWire.Version
            && CryptographicOperations.FixedTimeEquals(hello.Slice(5, RendezvousWire.SecretBytes), _secret)
            && BinaryPrimitives.ReadInt32LittleEndian(hello[^4..]) >= 0;
    }
}
