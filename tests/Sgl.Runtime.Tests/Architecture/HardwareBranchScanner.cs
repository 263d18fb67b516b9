using System.Text.RegularExpressions;

namespace Sgl.Runtime.Tests.Architecture;

/// <summary>Finds source lines that branch on the hardware kind instead of asking the platform for what they need.</summary>
internal static partial class HardwareBranchScanner
{
    public static IEnumerable<string> Scan(string fileName, string source)
    {
        var lines = source.Split('\n');
        for (var i = 0; i < lines.Length; i++)
        {
            var code = StripComment(lines[i]);
            if (Forbidden().IsMatch(code))
            {
                yield return $"{fileName}:{i + 1}: {lines[i].Trim()}";
            }
        }
    }

    private static string StripComment(string line)
    {
        var comment = line.IndexOf("//", StringComparison.Ordinal);
        return comment < 0 ? line : line[..comment];
    }

    [GeneratedRegex("""
        \.Is(Cuda|Rocm|Npu|Xpu|Hpu|Cpu|OutOfTree|CudaAlike)\b
        | \bPlatformEnum\.
        | \bDeviceChecks\.
        | (platform|Platform|Instance|Metadata)\w*\??\.Kind\b
        | \bis\s+\w*(Cuda|Rocm|Npu|Xpu|Hpu|Cpu)Platform\b
        | \bBuiltIn\.
        | "(cuda|rocm|npu|xpu|hpu|cpu|musa|hip|gpu)"
        | (DeviceName|DeviceType)\s*(==|!=|\.Equals|\.StartsWith)
        """, RegexOptions.IgnorePatternWhitespace | RegexOptions.IgnoreCase)]
    private static partial Regex Forbidden();
}
