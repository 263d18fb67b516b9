using Sgl.Platforms.BuiltIn.Cpu;
using Sgl.Platforms.BuiltIn.Cuda;
using Sgl.Platforms.Selection;

namespace Sgl.Platforms.Hosting.Tests;

/// <summary>Hand-built selection reports for machines the tests describe.</summary>
internal static class Reports
{
    public static CandidateReport Candidate(string name, string kind, CandidateStatus status, string? reason = null) => new()
    {
        Name = name,
        Kind = kind,
        Source = CandidateSource.BuiltIn,
        Assembly = "Sgl.Platforms",
        Version = "1.0.0",
        Priority = kind == "Cpu" ? 0 : 100,
        Status = status,
        Reason = reason,
    };

    public static SelectionReport CpuSelected(params CandidateReport[] others) => new()
    {
        Selected = "cpu",
        Platform = new CpuPlatform(),
        Candidates = [.. others, Candidate("cpu", "Cpu", CandidateStatus.Available)],
    };

    public static SelectionReport CudaSelected() => new()
    {
        Selected = "cuda",
        Platform = new CudaPlatform(),
        Candidates =
        [
            Candidate("cuda", "Cuda", CandidateStatus.Available),
            Candidate("rocm", "Rocm", CandidateStatus.NotPresent),
            Candidate("cpu", "Cpu", CandidateStatus.Available),
        ],
    };

    public static SelectionReport NothingSelected(string message) => new()
    {
        Selected = null,
        Error = new PlatformSelectionException(message),
        Candidates =
        [
            Candidate("cuda", "Cuda", CandidateStatus.Failed, "libnvidia-ml.so.1 threw during the probe"),
            Candidate("cpu", "Cpu", CandidateStatus.Available),
        ],
    };
}
