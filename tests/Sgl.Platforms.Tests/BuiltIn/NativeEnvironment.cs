using System.Runtime.InteropServices;

namespace Sgl.Platforms.Tests.BuiltIn;

/// <summary>
/// Sets variables in the native (libc) environment for the duration of a test and restores them.
/// .NET keeps its own copy of the environment on Unix, so native shims that call getenv only see
/// values set here. Tests using it must not run in parallel with each other (one collection).
/// </summary>
internal sealed partial class NativeEnvironment : IDisposable
{
    private readonly List<(string Name, string? Previous)> _saved = [];

    private NativeEnvironment()
    {
    }

    /// <summary>Sets each variable (null unsets it) until disposed.</summary>
    /// <param name="variables">Names and values.</param>
    public static NativeEnvironment Set(params (string Name, string? Value)[] variables)
    {
        var scope = new NativeEnvironment();
        foreach (var (name, value) in variables)
        {
            scope._saved.Add((name, Get(name)));
            Apply(name, value);
        }

        return scope;
    }

    /// <inheritdoc />
    public void Dispose()
    {
        for (var i = _saved.Count - 1; i >= 0; i--)
        {
            Apply(_saved[i].Name, _saved[i].Previous);
        }
    }

    private static string? Get(string name) => Marshal.PtrToStringUTF8(GetEnv(name));

    private static void Apply(string name, string? value)
    {
        var result = value is null ? UnsetEnv(name) : SetEnv(name, value, 1);
        if (result != 0)
        {
            throw new InvalidOperationException($"Could not set native environment variable {name}.");
        }
    }

    [LibraryImport("libc.so.6", EntryPoint = "getenv", StringMarshalling = StringMarshalling.Utf8)]
    private static partial IntPtr GetEnv(string name);

    [LibraryImport("libc.so.6", EntryPoint = "setenv", StringMarshalling = StringMarshalling.Utf8)]
    private static partial int SetEnv(string name, string value, int overwrite);

    [LibraryImport("libc.so.6", EntryPoint = "unsetenv", StringMarshalling = StringMarshalling.Utf8)]
    private static partial int UnsetEnv(string name);
}
