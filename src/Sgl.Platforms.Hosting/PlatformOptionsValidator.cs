using System.Globalization;
using Microsoft.Extensions.Options;

namespace Sgl.Platforms.Hosting;

/// <summary>
/// Checks the settings a host can get wrong before any probe runs; each message names the
/// configuration key and the environment variable, since either may have supplied the value.
/// </summary>
/// <remarks>Platform names and plugin lists are checked by selection itself, which knows the candidates.</remarks>
internal sealed class PlatformOptionsValidator : IValidateOptions<PlatformOptions>
{
    public ValidateOptionsResult Validate(string? name, PlatformOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var failures = new List<string>();

        if (options.ProbeTimeoutMs is { } timeout
            && (!int.TryParse(timeout, NumberStyles.None, CultureInfo.InvariantCulture, out var ms) || ms <= 0))
        {
            failures.Add(
                $"{KeyOf(nameof(PlatformOptions.ProbeTimeoutMs))} (environment variable {PlatformEnvironment.ProbeTimeoutMs}) is '{timeout}', " +
                "but it must be a positive whole number of milliseconds, for example 5000. Fix the value or remove it to use the default.");
        }

        if (options.SystemRoot is { } root && !Directory.Exists(root))
        {
            failures.Add(
                $"{KeyOf(nameof(PlatformOptions.SystemRoot))} (environment variable {PlatformEnvironment.SystemRoot}) is '{root}', " +
                "which is not an existing directory. Point it at a directory holding sys/, dev/ and proc/, or remove it to use '/'.");
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }

    private static string KeyOf(string property) => PlatformOptions.SectionName + ":" + property;
}
