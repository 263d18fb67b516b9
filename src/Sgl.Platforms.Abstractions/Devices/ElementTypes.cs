namespace Sgl.Platforms.Devices;

/// <summary>Facts about <see cref="ElementType"/> values.</summary>
public static class ElementTypes
{
    /// <summary>Bytes one element takes.</summary>
    /// <param name="elementType">The element type.</param>
    public static int SizeOf(ElementType elementType) => elementType switch
    {
        ElementType.Float32 or ElementType.Int32 => 4,
        ElementType.Float16 or ElementType.BFloat16 => 2,
        _ => throw new ArgumentOutOfRangeException(nameof(elementType), elementType, "Unknown element type."),
    };

    /// <summary>True for the floating-point types (every type but <see cref="ElementType.Int32"/>).</summary>
    /// <param name="elementType">The element type.</param>
    public static bool IsFloatingPoint(ElementType elementType) => elementType != ElementType.Int32;

    /// <summary>
    /// True when host values of type <typeparamref name="T"/> can be copied to or from a buffer of
    /// <paramref name="elementType"/> as they are: <see cref="float"/> for Float32, <see cref="int"/> for Int32,
    /// <see cref="Half"/> or the raw bits as <see cref="ushort"/> for Float16, <see cref="ushort"/> bits for BFloat16.
    /// </summary>
    /// <typeparam name="T">The host element type.</typeparam>
    /// <param name="elementType">The buffer's element type.</param>
    public static bool IsHostType<T>(ElementType elementType)
        where T : unmanaged => elementType switch
        {
            ElementType.Float32 => typeof(T) == typeof(float),
            ElementType.Int32 => typeof(T) == typeof(int),
            ElementType.Float16 => typeof(T) == typeof(Half) || typeof(T) == typeof(ushort),
            ElementType.BFloat16 => typeof(T) == typeof(ushort),
            _ => false,
        };
}
