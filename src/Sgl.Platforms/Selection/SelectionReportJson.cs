using System.Buffers;
using System.Text;
using System.Text.Json;
using Sgl.Platforms.Contributions;

namespace Sgl.Platforms.Selection;

/// <summary>
/// Writes the selection report's JSON by hand with <see cref="Utf8JsonWriter"/>: camelCase names, enums as their
/// names, nulls kept so the schema is fixed, indented. The same bytes the source-generated serializer wrote (a test
/// compares them), without its generic converters, which ReadyToRun cannot precompile: they were 120 of the 256
/// methods every <c>sgl platforms list --json</c> jitted (docs/performance.md).
/// </summary>
internal static class SelectionReportJson
{
    public static string Write(SelectionReport report)
    {
        var buffer = new ArrayBufferWriter<byte>(4096);
        using (var json = new Utf8JsonWriter(buffer, new JsonWriterOptions { Indented = true }))
        {
            json.WriteStartObject();
            json.WriteString("selected", report.Selected);
            json.WriteStartArray("candidates");
            foreach (var candidate in report.Candidates)
            {
                WriteCandidate(json, candidate);
            }

            json.WriteEndArray();
            json.WriteStartArray("contributions");
            foreach (var contribution in report.Contributions)
            {
                WriteContribution(json, contribution);
            }

            json.WriteEndArray();
            json.WriteEndObject();
        }

        return Encoding.UTF8.GetString(buffer.WrittenSpan);
    }

    private static void WriteCandidate(Utf8JsonWriter json, CandidateReport candidate)
    {
        json.WriteStartObject();
        json.WriteString("name", candidate.Name);
        json.WriteString("kind", candidate.Kind);
        json.WriteString("source", candidate.Source.ToString());
        json.WriteString("assembly", candidate.Assembly);
        json.WriteString("version", candidate.Version);
        json.WriteNumber("priority", candidate.Priority);
        json.WriteString("status", candidate.Status.ToString());
        json.WriteString("reason", candidate.Reason);
        if (candidate.ProbeMs is { } probeMs)
        {
            json.WriteNumber("probeMs", probeMs);
        }
        else
        {
            json.WriteNull("probeMs");
        }

        json.WriteStartArray("devices");
        foreach (var device in candidate.Devices)
        {
            json.WriteStartObject();
            json.WriteNumber("index", device.Index);
            json.WriteString("name", device.Name);
            if (device.MemoryBytes is { } memory)
            {
                json.WriteNumber("memoryBytes", memory);
            }
            else
            {
                json.WriteNull("memoryBytes");
            }

            json.WriteString("capability", device.Capability);
            json.WriteString("uuid", device.Uuid);
            json.WriteString("pciBusId", device.PciBusId);
            json.WriteEndObject();
        }

        json.WriteEndArray();
        json.WriteEndObject();
    }

    private static void WriteContribution(Utf8JsonWriter json, ContributionReport contribution)
    {
        json.WriteStartObject();
        json.WriteString("name", contribution.Name);
        json.WriteString("kind", contribution.Kind.ToString());
        json.WriteString("extends", contribution.Extends);
        json.WriteString("assembly", contribution.Assembly);
        json.WriteString("version", contribution.Version);
        json.WriteNumber("priority", contribution.Priority);
        json.WriteString("vendor", contribution.Vendor);
        json.WriteString("status", contribution.Status.ToString());
        json.WriteString("reason", contribution.Reason);
        json.WriteEndObject();
    }
}
