using System.Globalization;
using System.Text;
using System.Text.Json;

namespace Sgl.Platforms.Discovery;

/// <summary>
/// Reads a package plugin's index with <see cref="Utf8JsonReader"/> into the lock file's entry types. Written by hand
/// rather than through the source-generated context because it runs in every process that references a package plugin:
/// the serializer path cost about 250 jitted methods at every start, more than the index saves at a few plugins
/// (docs/performance.md). Strict as the lock file's reader: an unknown, repeated or mistyped property is an error.
/// </summary>
internal static class PackagePluginIndexReader
{
    /// <summary>The entries, or null for a JSON null.</summary>
    /// <exception cref="JsonException">The text is not an index; the message says where.</exception>
    public static List<LockedPlatform>? Read(string json)
    {
        var reader = new Utf8JsonReader(Encoding.UTF8.GetBytes(json));
        Next(ref reader);
        if (reader.TokenType == JsonTokenType.Null)
        {
            End(ref reader);
            return null;
        }

        Expect(ref reader, JsonTokenType.StartArray, "the index");
        var entries = new List<LockedPlatform>();
        while (Next(ref reader) != JsonTokenType.EndArray)
        {
            entries.Add(ReadPlatform(ref reader, entries.Count));
        }

        End(ref reader);
        return entries;
    }

    private static LockedPlatform ReadPlatform(ref Utf8JsonReader reader, int position)
    {
        var where = $"entry {position}";
        Expect(ref reader, JsonTokenType.StartObject, where);
        string? name = null, kind = null, contract = null, assembly = null;
        int? priority = null;
        List<LockedRule>? match = null;
        var seen = new HashSet<string>(StringComparer.Ordinal);
        while (Next(ref reader) != JsonTokenType.EndObject)
        {
            var property = Property(ref reader, seen, where);
            Next(ref reader);
            switch (property)
            {
                case "name": name = String(ref reader, where, property); break;
                case "kind": kind = String(ref reader, where, property); break;
                case "contract": contract = reader.TokenType == JsonTokenType.Null ? null : String(ref reader, where, property); break;
                case "assembly": assembly = String(ref reader, where, property); break;
                case "priority":
                    priority = reader.TokenType == JsonTokenType.Number && reader.TryGetInt32(out var value) ? value
                        : throw Error(where, "\"priority\" must be a whole number");
                    break;
                case "match":
                    Expect(ref reader, JsonTokenType.StartArray, where + " \"match\"");
                    match = [];
                    while (Next(ref reader) != JsonTokenType.EndArray)
                    {
                        match.Add(ReadRule(ref reader, $"{where} rule {match.Count}"));
                    }

                    break;
                default: throw Error(where, $"unknown property \"{property}\"");
            }
        }

        return new LockedPlatform
        {
            Name = name ?? throw Error(where, "\"name\" is missing"),
            Kind = kind ?? throw Error(where, "\"kind\" is missing"),
            Priority = priority ?? throw Error(where, "\"priority\" is missing"),
            Contract = contract,
            Assembly = assembly ?? throw Error(where, "\"assembly\" is missing"),
            Match = match!, // null when missing: PlatformIndex.Problem reports it
        };
    }

    private static LockedRule ReadRule(ref Utf8JsonReader reader, string where)
    {
        Expect(ref reader, JsonTokenType.StartObject, where);
        ushort? vendor = null;
        List<ushort> devices = [], classes = [];
        List<string> nodes = [], drivers = [];
        var seen = new HashSet<string>(StringComparer.Ordinal);
        while (Next(ref reader) != JsonTokenType.EndObject)
        {
            var property = Property(ref reader, seen, where);
            Next(ref reader);
            switch (property)
            {
                case "pciVendor": vendor = PciId(ref reader, where, property); break;
                case "pciDevices": devices = PciIds(ref reader, where, property); break;
                case "pciClasses": classes = PciIds(ref reader, where, property); break;
                case "deviceNodes": nodes = Strings(ref reader, where, property); break;
                case "kernelDrivers": drivers = Strings(ref reader, where, property); break;
                default: throw Error(where, $"unknown property \"{property}\"");
            }
        }

        return new LockedRule { PciVendor = vendor, PciDevices = devices, PciClasses = classes, DeviceNodes = nodes, KernelDrivers = drivers };
    }

    private static string Property(ref Utf8JsonReader reader, HashSet<string> seen, string where)
    {
        var property = reader.GetString()!;
        return seen.Add(property) ? property : throw Error(where, $"\"{property}\" is written twice");
    }

    private static ushort PciId(ref Utf8JsonReader reader, string where, string property)
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

        throw Error(where, $"\"{property}\": a PCI id or class must be a number from 0 to 65535 or a hex string such as \"0x1ed5\"");
    }

    private static List<ushort> PciIds(ref Utf8JsonReader reader, string where, string property)
    {
        Expect(ref reader, JsonTokenType.StartArray, $"{where} \"{property}\"");
        var values = new List<ushort>();
        while (Next(ref reader) != JsonTokenType.EndArray)
        {
            values.Add(PciId(ref reader, where, property));
        }

        return values;
    }

    private static List<string> Strings(ref Utf8JsonReader reader, string where, string property)
    {
        Expect(ref reader, JsonTokenType.StartArray, $"{where} \"{property}\"");
        var values = new List<string>();
        while (Next(ref reader) != JsonTokenType.EndArray)
        {
            values.Add(String(ref reader, where, property));
        }

        return values;
    }

    private static string String(ref Utf8JsonReader reader, string where, string property) =>
        reader.TokenType == JsonTokenType.String ? reader.GetString()! : throw Error(where, $"\"{property}\" must be a string");

    private static JsonTokenType Next(ref Utf8JsonReader reader) =>
        reader.Read() ? reader.TokenType : throw new JsonException("the text ends early");

    private static void Expect(ref Utf8JsonReader reader, JsonTokenType token, string what)
    {
        if (reader.TokenType != token)
        {
            throw new JsonException($"{what} must be a JSON {(token == JsonTokenType.StartArray ? "array" : "object")}, not {reader.TokenType}");
        }
    }

    private static void End(ref Utf8JsonReader reader)
    {
        if (reader.Read())
        {
            throw new JsonException("there is more text after the index");
        }
    }

    private static JsonException Error(string where, string problem) => new($"{where}: {problem}");
}
