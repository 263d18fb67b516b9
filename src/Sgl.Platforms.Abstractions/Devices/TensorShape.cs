using System.Globalization;

namespace Sgl.Platforms.Devices;

/// <summary>
/// The shape of a device buffer: a row-major matrix of <see cref="Rows"/> × <see cref="Columns"/> elements.
/// One value per token (ids, positions) is a column, [tokens, 1].
/// </summary>
/// <param name="Rows">Rows; at least 1.</param>
/// <param name="Columns">Elements per row; at least 1.</param>
public readonly record struct TensorShape(int Rows, int Columns)
{
    /// <summary>Rows × columns.</summary>
    public long ElementCount => (long)Rows * Columns;

    /// <summary>The shape as <c>[rows, columns]</c>.</summary>
    public override string ToString() => string.Create(CultureInfo.InvariantCulture, $"[{Rows}, {Columns}]");
}
