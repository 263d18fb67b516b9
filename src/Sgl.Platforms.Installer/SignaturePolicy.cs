using NuGet.Common;
using NuGet.Configuration;
using NuGet.Packaging;
using NuGet.Packaging.Core;
using NuGet.Packaging.Signing;

namespace Sgl.Platforms.Installer;

/// <summary>
/// Applies NuGet.config's <c>signatureValidationMode</c> and <c>trustedSigners</c> to a downloaded package,
/// the way NuGet's own extraction does: integrity and trust of any signature, the allow list of trusted
/// signers, and under <c>require</c> no unsigned packages.
/// </summary>
internal static class SignaturePolicy
{
    public static async Task VerifyAsync(PackageArchiveReader reader, PackageIdentity package, string source, ClientPolicyContext policy, CancellationToken token)
    {
        var require = policy.Policy == SignatureValidationMode.Require;
        if (!await reader.IsSignedAsync(token))
        {
            if (require)
            {
                throw new PluginInstallException(PluginInstallError.SignatureRejected,
                    $"{package} from '{source}' is not signed, and NuGet.config sets signatureValidationMode to require, so unsigned plugins are refused. " +
                    "Ask the vendor for a signed package (and add its certificate under trustedSigners), or, if you accept unsigned code from this source, set signatureValidationMode to accept.");
            }

            return;
        }

        if (!reader.CanVerifySignedPackages(policy.VerifierSettings))
        {
            if (require)
            {
                throw new PluginInstallException(PluginInstallError.SignatureRejected,
                    $"{package} from '{source}' is signed, but signatures cannot be verified on this system and NuGet.config sets signatureValidationMode to require. " +
                    "On Linux and macOS, set DOTNET_NUGET_SIGNATURE_VERIFICATION=true (NuGet's switch for signature verification there).");
            }

            // As dotnet restore does where verification is unavailable: accept mode installs without it.
            return;
        }

        var untrustedRoots = policy.AllowList?.Where(e => e.AllowUntrustedRoot)
            .Select(e => new KeyValuePair<string, HashAlgorithmName>(e.Fingerprint, e.FingerprintAlgorithm));
        var verifier = new PackageSignatureVerifier(
        [
            new IntegrityVerificationProvider(),
            new AllowListVerificationProvider(policy.AllowList, requireNonEmptyAllowList: require,
                emptyListErrorMessage: "signatureValidationMode is require but NuGet.config lists no trustedSigners",
                noMatchErrorMessage: "the package is not signed by any of the trustedSigners in NuGet.config"),
            new SignatureTrustAndValidityVerificationProvider(untrustedRoots),
        ]);
        var result = await verifier.VerifySignaturesAsync(reader, policy.VerifierSettings, token, Guid.NewGuid());
        if (result.IsValid)
        {
            return;
        }

        var issues = result.Results.SelectMany(r => r.Issues).Where(i => i.Level >= LogLevel.Warning).ToList();
        throw new PluginInstallException(PluginInstallError.SignatureRejected,
            $"{package} from '{source}' failed signature verification: {string.Join(" ", issues.Select(i => $"{i.Code}: {i.Message}"))} " +
            "Add the signer's certificate fingerprint under trustedSigners in NuGet.config if you trust it, or get the package from its original publisher.");
    }
}
