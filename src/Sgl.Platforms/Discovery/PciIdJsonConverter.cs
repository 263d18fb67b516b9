using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace Sgl.Platforms.Discovery;

/// <summary>
/// PCI ids and classes in an index: written as JSON numbers, read as numbers or as the hex strings people write them
/// in (<c>"0x1ed5"</c>, as <c>lspci -nn</c> shows them), so a package's hand-kept index stays readable.
/// </summary>
internal sealed class PciIdJsonConverter : JsonConverter<ushort>
{
    public override ushort Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
    {
        if (reader.TokenType == JsonTokenType.Number && reader.TryGetUInt16(out var number))
        {
            return number;
        }

        if (reader.TokenType == JsonTokenType.String && reader.GetString() is { } text
            && text.StartsWith("0x", StringComparison.OrdinalIgnoreCase) && text.Length is > 2 and <= 6
            && ushort.TryParse(text.AsSpan(2), NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out var hex))
        {
            return hex;
        }

        throw new JsonException("a PCI id or class must be a number from 0 to 65535 or a hex string such as \"0x1ed5\"");
    }

    public override void Write(Utf8JsonWriter writer, ushort value, JsonSerializerOptions options) => writer.WriteNumberValue(value);
}
