using System.Reflection;

namespace Sgl.Platforms.Testing.Tests;

/// <summary>Runs every check of a compiled conformance suite the way the test runner would: a new instance per check.</summary>
internal sealed class SuiteRun
{
    private SuiteRun(Dictionary<string, string?> failures, Dictionary<string, string> skips)
    {
        Failures = failures;
        Skips = skips;
    }

    /// <summary>Each check by method name; the failure message, or null when it passed.</summary>
    public Dictionary<string, string?> Failures { get; }

    /// <summary>The checks that skipped themselves, with the reason.</summary>
    public Dictionary<string, string> Skips { get; }

    public IEnumerable<string> Failed => Failures.Where(f => f.Value is not null).Select(f => f.Key);

    public static SuiteRun Of(VendorPlugin plugin) => Of(plugin.CompileSuite());

    public static SuiteRun Of(Type suite)
    {
        var failures = new Dictionary<string, string?>();
        var skips = new Dictionary<string, string>();
        foreach (var check in suite.GetMethods(BindingFlags.Public | BindingFlags.Instance).Where(m => m.GetCustomAttribute<FactAttribute>() is not null))
        {
            try
            {
                check.Invoke(Activator.CreateInstance(suite), null);
                failures[check.Name] = null;
            }
            catch (TargetInvocationException e) when (e.InnerException is { } inner)
            {
                if (inner.GetType().Name == "SkipException")
                {
                    skips[check.Name] = inner.Message;
                    failures[check.Name] = null;
                }
                else
                {
                    failures[check.Name] = inner.Message;
                }
            }
        }

        return new SuiteRun(failures, skips);
    }
}
