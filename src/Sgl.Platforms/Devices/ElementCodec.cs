using System.Runtime.InteropServices;

namespace Sgl.Platforms.Devices;

/// <summary>Converts between float32 and the 16-bit element types, as the devices store them (little-endian bits).</summary>
public static class ElementCodec
{
    /// <summary>float32 to bfloat16 bits: the upper 16 bits, rounded to nearest even; a NaN stays a (quiet) NaN.</summary>
    /// <param name="value">The value.</param>
    public static ushort ToBFloat16(float value)
    {
        var bits = (uint)BitConverter.SingleToInt32Bits(value);
        if (float.IsNaN(value))
        {
            return (ushort)((bits >> 16) | 0x0040);
        }

        var rounding = 0x7FFFu + ((bits >> 16) & 1);
        return (ushort)((bits + rounding) >> 16);
    }

    /// <summary>bfloat16 bits to float32 (exact).</summary>
    /// <param name="bits">The bits.</param>
    public static float FromBFloat16(ushort bits) => BitConverter.Int32BitsToSingle(bits << 16);

    /// <summary>Converts float32 values to raw elements of <paramref name="elementType"/> (a floating-point type).</summary>
    /// <param name="values">The values.</param>
    /// <param name="destination">Receives values.Length × the element size bytes.</param>
    /// <param name="elementType">The element type.</param>
    public static void Encode(ReadOnlySpan<float> values, Span<byte> destination, ElementType elementType)
    {
        switch (elementType)
        {
            case ElementType.Float32:
                MemoryMarshal.AsBytes(values).CopyTo(destination);
                break;
            case ElementType.Float16:
                var halves = MemoryMarshal.Cast<byte, Half>(destination);
                for (var i = 0; i < values.Length; i++)
                {
                    halves[i] = (Half)values[i];
                }

                break;
            case ElementType.BFloat16:
                var brains = MemoryMarshal.Cast<byte, ushort>(destination);
                for (var i = 0; i < values.Length; i++)
                {
                    brains[i] = ToBFloat16(values[i]);
                }

                break;
            default:
                throw new ArgumentOutOfRangeException(nameof(elementType), elementType, "Only floating-point element types convert to and from float32.");
        }
    }

    /// <summary>Converts raw elements of <paramref name="elementType"/> (a floating-point type) to float32.</summary>
    /// <param name="source">The raw elements.</param>
    /// <param name="destination">Receives the values.</param>
    /// <param name="elementType">The element type.</param>
    public static void Decode(ReadOnlySpan<byte> source, Span<float> destination, ElementType elementType)
    {
        switch (elementType)
        {
            case ElementType.Float32:
                MemoryMarshal.Cast<byte, float>(source)[..destination.Length].CopyTo(destination);
                break;
            case ElementType.Float16:
                var halves = MemoryMarshal.Cast<byte, Half>(source);
                for (var i = 0; i < destination.Length; i++)
                {
                    destination[i] = (float)halves[i];
                }

                break;
            case ElementType.BFloat16:
                var brains = MemoryMarshal.Cast<byte, ushort>(source);
                for (var i = 0; i < destination.Length; i++)
                {
                    destination[i] = FromBFloat16(brains[i]);
                }

                break;
            default:
                throw new ArgumentOutOfRangeException(nameof(elementType), elementType, "Only floating-point element types convert to and from float32.");
        }
    }

    /// <summary>Rounds float32 values in place as storing them in <paramref name="elementType"/> and reading them back would.</summary>
    /// <param name="values">The values.</param>
    /// <param name="elementType">The element type.</param>
    public static void RoundTo(Span<float> values, ElementType elementType)
    {
        for (var i = 0; i < values.Length; i++)
        {
            values[i] = elementType switch
            {
                ElementType.Float16 => (float)(Half)values[i],
                ElementType.BFloat16 => FromBFloat16(ToBFloat16(values[i])),
                _ => values[i],
            };
        }
    }
}
