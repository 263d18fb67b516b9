using System.Buffers.Binary;
using System.Text;

namespace Sgl.Runtime.Distributed;

/// <summary>
/// The rendezvous store's wire format, over one TCP connection per rank. The client opens with
/// <c>"SGLR" version secret[32] rank:int32</c>; the server answers one byte (1) or, for a wrong secret, closes the
/// connection. Then requests: <c>'P' key value</c> (publish; answered 0, or 1 when the key exists) and
/// <c>'R' key</c> (read; answered with the value once some rank has published it). A key is a length-prefixed
/// UTF-8 string (uint16), a value a length-prefixed byte string (int32). Integers are little-endian.
/// </summary>
internal static class RendezvousWire
{
    public const int SecretBytes = 32;
    public const int MaxKeyBytes = 256;
    public const byte Version = 1;
    public const byte Publish = (byte)'P';
    public const byte Read = (byte)'R';
    public const byte Accepted = 1;
    public const byte Published = 0;
    public const byte AlreadyPublished = 1;
    public static ReadOnlySpan<byte> Magic => "SGLR"u8;

    public static void WriteKey(Stream stream, string key)
    {
        var bytes = KeyBytes(key);
        Span<byte> length = stackalloc byte[2];
        BinaryPrimitives.WriteUInt16LittleEndian(length, (ushort)bytes.Length);
        stream.Write(length);
        stream.Write(bytes);
    }

    public static byte[] KeyBytes(string key)
    {
        var bytes = Encoding.UTF8.GetBytes(key);
        if (bytes.Length is 0 or > MaxKeyBytes)
        {
            throw new ArgumentException($"A rendezvous key is 1 to {MaxKeyBytes} UTF-8 bytes; got {bytes.Length}.", nameof(key));
        }

        return bytes;
    }

    public static void WriteValue(Stream stream, ReadOnlySpan<byte> value)
    {
        Span<byte> length = stackalloc byte[4];
        BinaryPrimitives.WriteInt32LittleEndian(length, value.Length);
        stream.Write(length);
        stream.Write(value);
    }

    /// <exception cref="InvalidDataException">The length is out of bounds.</exception>
    /// <exception cref="EndOfStreamException">The peer closed the connection.</exception>
    public static string ReadKey(Stream stream)
    {
        Span<byte> length = stackalloc byte[2];
        stream.ReadExactly(length);
        var count = BinaryPrimitives.ReadUInt16LittleEndian(length);
        if (count is 0 or > MaxKeyBytes)
        {
            throw new InvalidDataException($"rendezvous key of {count} bytes (1 to {MaxKeyBytes} allowed)");
        }

        var bytes = new byte[count];
        stream.ReadExactly(bytes);
        return Encoding.UTF8.GetString(bytes);
    }

    /// <exception cref="InvalidDataException">The length is out of bounds.</exception>
    /// <exception cref="EndOfStreamException">The peer closed the connection.</exception>
    public static byte[] ReadValue(Stream stream)
    {
        Span<byte> length = stackalloc byte[4];
        stream.ReadExactly(length);
        var count = BinaryPrimitives.ReadInt32LittleEndian(length);
        if (count is < 0 or > Sgl.Platforms.Serving.GroupRendezvous.MaxValueBytes)
        {
            throw new InvalidDataException($"rendezvous value of {count} bytes (at most {Sgl.Platforms.Serving.GroupRendezvous.MaxValueBytes} allowed)");
        }

        var bytes = new byte[count];
        stream.ReadExactly(bytes);
        return bytes;
    }
}
