using Microsoft.Extensions.Options;

namespace Sgl.Platforms.Hosting;

/// <summary>
/// Checks the settings when the host starts, before any probe runs, with selection's own parser, so
/// the host refuses exactly what selection would and with the same message (naming the
/// configuration key and the environment variable).
/// </summary>
/// <remarks>Whether a named platform exists is checked by selection itself, which knows the candidates.</remarks>
internal sealed class PlatformOptionsValidator : IValidateOptions<PlatformOptions>
{
    public ValidateOptionsResult Validate(string? name, PlatformOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        try
        {
            PlatformSettings.Parse(options);
            return ValidateOptionsResult.Success;
        }
        catch (PlatformConfigurationException e)
        {
            return ValidateOptionsResult.Fail(e.Message);
        }
    }
}
