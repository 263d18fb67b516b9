using System.Text;
using System.Text.Json;
using Sgl.Platforms.Discovery;

namespace Sgl.Platforms.Isolation;

/// <summary>
/// The parent's end of the probe host's private result pipe. A result is accepted only as the one answer
/// to a request: it carries the token the parent gave that candidate, under that candidate's name, once.
/// Anything else on the pipe (a line that is not a result, an unknown token, a second result, a line
/// beyond <see cref="MaxLineChars"/>) is a protocol violation: only plugin code in the child could have
/// written it, so the parent trusts none of that child's plugins.
/// </summary>
internal sealed class ProbeResultChannel(IReadOnlyDictionary<string, PlatformCandidate> byToken)
{
    /// <summary>The longest line accepted: 1,024 devices and a 16 KiB reason fit many times over.</summary>
    public const int MaxLineChars = 4 * 1024 * 1024;

    private readonly Lock _gate = new();
    private readonly Dictionary<PlatformCandidate, ProbeHostResult> _results = [];
    private readonly List<string> _violations = [];

    /// <summary>Reads lines until the pipe closes (every writer in the child has exited).</summary>
    public void ReadAll(TextReader reader)
    {
        var line = new StringBuilder();
        var buffer = new char[8192];
        var overlong = false;
        int read;
        while ((read = reader.Read(buffer, 0, buffer.Length)) > 0)
        {
            var start = 0;
            for (var i = 0; i < read; i++)
            {
                if (buffer[i] != '\n')
                {
                    continue;
                }

                Append(line, buffer.AsSpan(start, i - start), ref overlong);
                EndLine(line, ref overlong);
                start = i + 1;
            }

            Append(line, buffer.AsSpan(start, read - start), ref overlong);
        }

        if (line.Length > 0 || overlong)
        {
            EndLine(line, ref overlong);
        }
    }

    /// <summary>The results accepted so far, and what violated the protocol.</summary>
    public (Dictionary<PlatformCandidate, ProbeHostResult> Results, List<string> Violations) Snapshot()
    {
        lock (_gate)
        {
            return (new Dictionary<PlatformCandidate, ProbeHostResult>(_results), [.. _violations]);
        }
    }

    /// <summary>Judges one line.</summary>
    internal void Accept(string line)
    {
        var result = Parse(line);
        lock (_gate)
        {
            if (result is null || result.Name is null || result.Token is null || result.Devices is null || result.Devices.Any(d => d is null || d.Name is null))
            {
                _violations.Add($"a line that is not a result ('{Excerpt(line)}')");
            }
            else if (!byToken.TryGetValue(result.Token, out var candidate) || candidate.Name != result.Name)
            {
                _violations.Add($"a result for '{Excerpt(result.Name)}' that the parent did not ask this probe host for");
            }
            else if (!_results.TryAdd(candidate, result))
            {
                _violations.Add($"a second result for '{candidate.Name}'");
            }
        }
    }

    private static void Append(StringBuilder line, ReadOnlySpan<char> text, ref bool overlong)
    {
        if (overlong)
        {
            return;
        }

        if (line.Length + text.Length > MaxLineChars)
        {
            overlong = true;
            line.Clear();
            return;
        }

        line.Append(text);
    }

    private void EndLine(StringBuilder line, ref bool overlong)
    {
        if (overlong)
        {
            lock (_gate)
            {
                _violations.Add($"a line longer than {MaxLineChars} characters");
            }
        }
        else
        {
            Accept(line.ToString().TrimEnd('\r'));
        }

        line.Clear();
        overlong = false;
    }

    private static ProbeHostResult? Parse(string line)
    {
        try
        {
            return JsonSerializer.Deserialize(line, ProbeHostJsonContext.Default.ProbeHostResult);
        }
        catch (JsonException)
        {
            return null;
        }
    }

    private static string Excerpt(string text) => text.Length <= 80 ? text : text[..80] + "…";
}
