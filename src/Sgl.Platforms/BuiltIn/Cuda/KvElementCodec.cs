using System.Buffers.Binary;
using Sgl.Platforms.ExtensionPoints;

namespace Sgl.Platforms.BuiltIn.Cuda;

/// <summary>Converts the float32 keys and values the runtime hands over to the pool's element type, and back.</summary>
internal static class KvElementCodec
{
    /// <summary>Writes <paramref name="values"/> into <paramref name="destination"/> as <paramref name="dataType"/> (little-endian, as the GPU stores them).</summary>
    public static void Encode(ReadOnlySpan<float> values, Span<byte> destination, KvCacheDataType dataType)
    {
        for (var i = 0; i < values.Length; i++)
        {
            switch (dataType)
            {
                case KvCacheDataType.Float32:
                    BinaryPrimitives.WriteSingleLittleEndian(destination[(i * 4)..], values[i]);
                    break;
                case KvCacheDataType.Float16:
                    BinaryPrimitives.WriteHalfLittleEndian(destination[(i * 2)..], (Half)values[i]);
                    break;
                case KvCacheDataType.BFloat16:
                    BinaryPrimitives.WriteUInt16LittleEndian(destination[(i * 2)..], ToBFloat16(values[i]));
                    break;
                default:
                    throw new ArgumentOutOfRangeException(nameof(dataType), dataType, "Unknown KV cache element type.");
            }
        }
    }

    /// <summary>Reads <paramref name="destination"/>.Length elements of <paramref name="dataType"/> from <paramref name="source"/>.</summary>
    public static void Decode(ReadOnlySpan<byte> source, Span<float> destination, KvCacheDataType dataType)
    {
        for (var i = 0; i < destination.Length; i++)
        {
            destination[i] = dataType switch
            {
                KvCacheDataType.Float32 => BinaryPrimitives.ReadSingleLittleEndian(source[(i * 4)..]),
                KvCacheDataType.Float16 => (float)BinaryPrimitives.ReadHalfLittleEndian(source[(i * 2)..]),
                KvCacheDataType.BFloat16 => BitConverter.Int32BitsToSingle(BinaryPrimitives.ReadUInt16LittleEndian(source[(i * 2)..]) << 16),
                _ => throw new ArgumentOutOfRangeException(nameof(dataType), dataType, "Unknown KV cache element type."),
            };
        }
    }

    /// <summary>The upper 16 bits of the float32, rounded to nearest even; NaN stays NaN.</summary>
    private static ushort ToBFloat16(float value)
    {
        var bits = (uint)BitConverter.SingleToInt32Bits(value);
        if (float.IsNaN(value))
        {
            return (ushort)((bits >> 16) | 0x0040);
        }

        var rounding = 0x7FFFu + ((bits >> 16) & 1);
        return (ushort)((bits + rounding) >> 16);
    }
}
