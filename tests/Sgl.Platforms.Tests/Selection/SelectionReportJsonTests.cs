using System.Text.Json;
using System.Text.Json.Serialization;
using Sgl.Platforms.Contributions;
using Sgl.Platforms.Selection;

namespace Sgl.Platforms.Tests.Selection;

public sealed class SelectionReportJsonTests
{
    [Fact]
    public void The_hand_written_json_is_byte_for_byte_what_the_serializer_wrote()
    {
        var report = new SelectionReport
        {
            Selected = "acme",
            Candidates =
            [
                new CandidateReport
                {
                    Name = "acme", Kind = "Oot", Source = CandidateSource.Installed, Assembly = "/home/u/.sgl/platforms/acme/Acme.dll",
                    Version = "1.2.3+abc", Priority = 200, Status = CandidateStatus.Available, Reason = "two \"GPUs\" <found> & ok\u00e9\u0001\n",
                    ProbeMs = 0.1 + 0.2,
                    Devices =
                    [
                        new DeviceReport(0, "Acme X1", 85_899_345_920, "9.0", "GPU-1234", "0000:3b:00.0"),
                        new DeviceReport(1, "Acme X1 (no memory figure)", null, null, null, null),
                    ],
                },
                new CandidateReport
                {
                    Name = "cuda", Kind = "Cuda", Source = CandidateSource.BuiltIn, Assembly = "Sgl.Platforms", Version = "1.1.0",
                    Priority = 100, Status = CandidateStatus.NotPresent, Reason = null, ProbeMs = null,
                },
                new CandidateReport
                {
                    Name = "slow", Kind = "Oot", Source = CandidateSource.DevPath, Assembly = "Slow.dll", Version = "0.0.1",
                    Priority = -5, Status = CandidateStatus.TimedOut, Reason = "late", ProbeMs = 1e-7,
                },
            ],
            Contributions =
            [
                new ContributionReport
                {
                    Name = "flash", Kind = ContributionKind.AttentionBackend, Extends = "cuda", Assembly = "Flash.dll", Version = "2.0.0",
                    Priority = 10, Vendor = "Acme", Status = ContributionStatus.Unused, Reason = "It extends 'cuda'.",
                },
                new ContributionReport
                {
                    Name = "ops", Kind = ContributionKind.DeviceOperations, Extends = "cpu", Assembly = "Ops.dll", Version = "1.0.0",
                    Priority = 0, Status = ContributionStatus.Active, Reason = null,
                },
            ],
        };

        report.ToJson().Should().Be(JsonSerializer.Serialize(report, ReferenceJsonContext.Default.SelectionReport));
    }

    [Fact]
    public void An_empty_report_keeps_its_fixed_schema()
    {
        var json = new SelectionReport { Candidates = [] }.ToJson();

        json.Should().Be(JsonSerializer.Serialize(new SelectionReport { Candidates = [] }, ReferenceJsonContext.Default.SelectionReport));
        JsonDocument.Parse(json).RootElement.GetProperty("selected").ValueKind.Should().Be(JsonValueKind.Null);
    }
}

/// <summary>The serializer settings the report's JSON was defined with, kept here as the reference for the hand-written writer.</summary>
[JsonSourceGenerationOptions(
    PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase,
    UseStringEnumConverter = true,
    WriteIndented = true,
    DefaultIgnoreCondition = JsonIgnoreCondition.Never,
    GenerationMode = JsonSourceGenerationMode.Serialization)]
[JsonSerializable(typeof(SelectionReport))]
internal sealed partial class ReferenceJsonContext : JsonSerializerContext;
