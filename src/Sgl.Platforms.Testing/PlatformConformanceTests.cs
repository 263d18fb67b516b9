using System.Composition;
using System.Composition.Hosting;
using System.Diagnostics;
using System.Globalization;
using System.Reflection;
using Sgl.Platforms.Devices;
using Sgl.Platforms.Diffusion;
using Sgl.Platforms.Serving;
using Sgl.Platforms.Probing;
using Sgl.Platforms.Selection;
using Xunit;

namespace Sgl.Platforms.Testing;

/// <summary>
/// The conformance suite a platform vendor runs in its own CI. Inherit it once with the platform type
/// and describe the vendor's hardware on a fake machine; every check then runs as its own test:
/// <code>
/// public sealed class AcmeConformance : PlatformConformanceTests&lt;AcmePlatform&gt;
/// {
///     protected override void ConfigureDevice(FakeSystemRoot root) =&gt;
///         root.WithPciDevice(0x1e0f, 0x0001, driver: "acme").WithDeviceNode("acme0");
/// }
/// </code>
/// </summary>
/// <remarks>
/// <para>Admission and probing use the host's own code (<see cref="HostRules"/>): a check fails for the reason
/// platform selection would reject or fail the plugin, in the same words. Every failure names what to fix.</para>
/// <para>Decisions the suite encodes: an attention backend factory either builds a backend whose
/// <see cref="IAttentionBackend.Name"/> is its key, or throws <see cref="NotSupportedException"/> with a message
/// saying what is missing; any other exception fails. A platform that offers backends names one of them as its
/// <see cref="Platform.DefaultAttentionBackend"/>. The KV pool honours the requested capacity. Every operation the
/// platform declares matches the CPU reference within the element type's tolerance (<see cref="DeviceConformance"/>),
/// the tiny model generates the CPU's tokens on it, and every operation it does not declare is reported as a CPU
/// fallback. Checks that need the device run on the vendor's fake machine unless <see cref="DeviceNeedsHardware"/>
/// is set; then they run only where the real machine has the hardware, and are skipped, with that reason, elsewhere.</para>
/// <para>The constructor check measures time and that construction does not probe; a constructor that opens
/// a driver is not observable in-process without a tracer, so keep that rule by review too.</para>
/// </remarks>
/// <typeparam name="TPlatform">The vendor's exported platform type.</typeparam>
[System.Diagnostics.CodeAnalysis.SuppressMessage("Naming", "CA1707:Identifiers should not contain underscores",
    Justification = "The test methods are sentences a vendor reads in its test report, as the repository's own tests are named.")]
public abstract partial class PlatformConformanceTests<TPlatform>
    where TPlatform : Platform
{
    private const string UserSet = "user-set";

    /// <summary>Describes the vendor's hardware on a fake machine: PCI functions, device nodes, driver files.</summary>
    /// <param name="root">An empty fake machine; the probe sees it through its <see cref="SystemView"/>.</param>
    protected abstract void ConfigureDevice(FakeSystemRoot root);

    /// <summary>
    /// Builds the platform under test. By default through System.Composition from the type alone, as the
    /// host does; override to pass a test seam (a shim library's path, for example).
    /// </summary>
    /// <exception cref="InvalidOperationException">The type is not exported as a <see cref="Platform"/>.</exception>
    protected virtual TPlatform CreatePlatform()
    {
        // The container is not disposed: the part it built is the platform under test.
        var container = new ContainerConfiguration().WithPart<TPlatform>().CreateContainer();
        var platforms = container.GetExports<Platform>().OfType<TPlatform>().ToList();
        return platforms.Count == 1
            ? platforms[0]
            : throw new InvalidOperationException(
                $"System.Composition built {platforms.Count} {typeof(TPlatform).Name} export(s) from the type alone; put [Export(typeof(Platform))] on {typeof(TPlatform).FullName} exactly once.");
    }

    /// <summary>The probe's time limit; the host's default (<c>SGL_PROBE_TIMEOUT_MS</c> unset) unless overridden.</summary>
    protected virtual TimeSpan ProbeTimeout => HostRules.DefaultProbeTimeout;

    /// <summary>How long constructing the platform may take, first construction (type loading, JIT) included.</summary>
    protected virtual TimeSpan ConstructionBudget => TimeSpan.FromSeconds(1);

    /// <summary>
    /// True when opening the platform's device needs the real hardware (a driver library, device files); the
    /// device checks then run only where the real machine's probe finds the hardware, and are skipped elsewhere.
    /// </summary>
    protected virtual bool DeviceNeedsHardware => false;

    /// <summary>The KV pool the pool check asks for: small, with an explicit capacity.</summary>
    protected virtual KvPoolRequest KvPoolRequest => new(LayerCount: 2, KvHeadCount: 2, HeadDim: 8, ElementType.Float32) { MaxTokens = 64 };

    private static string TypeName => typeof(TPlatform).FullName ?? typeof(TPlatform).Name;

    private static PlatformMetadataAttribute? Metadata => typeof(TPlatform).GetCustomAttribute<PlatformMetadataAttribute>(inherit: false);

    private static string PlatformName => Metadata?.Name ?? typeof(TPlatform).Name;

    /// <summary>The type carries one Platform export, and composing the vendor's assembly alone yields that export once.</summary>
    [Fact]
    public void Is_exported_exactly_once_when_its_assembly_is_composed_alone()
    {
        var type = typeof(TPlatform);
        var attributes = type.GetCustomAttributes<ExportAttribute>(inherit: false).Where(a => a.ContractType == typeof(Platform)).Count();
        if (attributes != 1)
        {
            Assert.Fail($"{TypeName} carries {attributes} [Export(typeof(Platform))] attributes; it needs exactly one (inside namespace Sgl.Platform.X write [Export(typeof(Platforms.Platform))]).");
        }

        List<Lazy<Platform, PlatformMetadata>> exports;
        try
        {
            var container = new ContainerConfiguration().WithAssembly(type.Assembly).CreateContainer();
            exports = container.GetExports<Lazy<Platform, PlatformMetadata>>().ToList();
        }
        catch (Exception e) when (e is CompositionFailedException or ReflectionTypeLoadException or InvalidOperationException)
        {
            Assert.Fail($"System.Composition could not compose {type.Assembly.GetName().Name} alone: {e.Message} Every Platform export must compose without parts from other assemblies.");
            return;
        }

        var mine = exports.Where(e => e.Metadata.Name == PlatformName).ToList();
        if (mine.Count != 1)
        {
            Assert.Fail($"Composing {type.Assembly.GetName().Name} alone yields {mine.Count} Platform exports named '{PlatformName}'; the host needs exactly one. Remove duplicate [Export(typeof(Platform))] parts or give each its own name.");
        }

        if (mine[0].Value.GetType() != type)
        {
            Assert.Fail($"The Platform export named '{PlatformName}' in {type.Assembly.GetName().Name} builds {mine[0].Value.GetType().FullName}, not {TypeName}; the metadata belongs on the exported class.");
        }
    }

    /// <summary>The host admits every Platform export of the vendor's assembly (metadata, name, kind, contract version).</summary>
    [Fact]
    public void Is_admitted_by_the_host()
    {
        var verdicts = HostRules.InspectAssembly(typeof(TPlatform).Assembly.Location);

        var refused = verdicts.Where(v => !v.Admitted).Select(v => $"- {v.Reason}").ToList();
        if (refused.Count > 0)
        {
            Assert.Fail($"The host would refuse platform exports of {typeof(TPlatform).Assembly.GetName().Name}:\n{string.Join('\n', refused)}");
        }

        if (!verdicts.Any(v => v.TypeName == TypeName))
        {
            Assert.Fail($"The host finds no Platform export for {TypeName} in {typeof(TPlatform).Assembly.GetName().Name}; the class must be public, non-abstract and carry [Export(typeof(Platform))] and [PlatformMetadata(\"name\", Kind = PlatformEnum.Oot)].");
        }
    }

    /// <summary>The metadata name is a lowercase id and not a built-in's.</summary>
    [Fact]
    public void Metadata_name_is_a_lowercase_id_that_is_not_reserved()
    {
        var metadata = RequireMetadata();

        if (HostRules.NameProblem(metadata.Name) is { } problem)
        {
            Assert.Fail($"{TypeName}: {problem} Change the name in [PlatformMetadata(\"...\")]; reserved names are {string.Join(", ", HostRules.ReservedNames.Order(StringComparer.Ordinal))}.");
        }
    }

    /// <summary>Kind is <see cref="PlatformEnum.Oot"/> in the metadata, the instance's identity is its metadata, and it names a distributed backend.</summary>
    [Fact]
    public void Kind_is_out_of_tree_and_identity_matches_the_metadata()
    {
        var metadata = RequireMetadata();
        var problems = new List<string>();
        if (metadata.Kind != PlatformEnum.Oot)
        {
            problems.Add($"[PlatformMetadata] declares Kind = PlatformEnum.{metadata.Kind}; vendor platforms must declare Kind = PlatformEnum.Oot.");
        }

        var platform = CreatePlatform();

        if (platform.DeviceName != metadata.Name)
        {
            problems.Add($"DeviceName is '{platform.DeviceName}' but the metadata name is '{metadata.Name}'; build the platform through its [PlatformMetadata] (the parameterless Platform constructor).");
        }

        if (string.IsNullOrWhiteSpace(platform.DistributedBackend))
        {
            problems.Add("DistributedBackend is empty; return the collective library's name (for example nccl, rccl, mccl) or gloo.");
        }

        FailIfAny(problems);
    }

    /// <summary>The assembly was built against the contract major version this host accepts.</summary>
    [Fact]
    public void Is_built_against_a_compatible_contract()
    {
        var contract = typeof(TPlatform).Assembly.GetReferencedAssemblies()
            .FirstOrDefault(a => a.Name == typeof(Platform).Assembly.GetName().Name);
        if (contract?.Version is not { } version)
        {
            Assert.Fail($"{typeof(TPlatform).Assembly.GetName().Name} does not reference Sgl.Platforms.Abstractions; reference the contract package (and only it).");
            return;
        }

        if (version.Major != HostRules.ContractMajor)
        {
            Assert.Fail($"{typeof(TPlatform).Assembly.GetName().Name} was built against Sgl.Platforms.Abstractions {version}, but the host accepts contract {HostRules.ContractMajor}.x; rebuild against Sgl.Platforms.Abstractions {HostRules.ContractMajor}.x.");
        }
    }

    /// <summary>
    /// The package's manifest props (<c>buildTransitive/&lt;id&gt;.props</c>), whose <c>&lt;SglPlatformPlugin&gt;</c> item must carry
    /// the index the assembly declares. Found by default in the template's layout above the test output
    /// (<see cref="HostRules.FindPackageManifest"/>); override to point elsewhere.
    /// </summary>
    protected virtual string? PackageManifestPath => HostRules.FindPackageManifest(typeof(TPlatform).Assembly.GetName().Name!, AppContext.BaseDirectory);

    /// <summary>
    /// The package manifest names the assembly and carries its index (name, kind, priority, contract, hardware rules),
    /// so an application's start reports the platform NotPresent on machines without its hardware without opening it.
    /// </summary>
    [Fact]
    public void Package_manifest_carries_the_index_the_assembly_declares()
    {
        var assembly = typeof(TPlatform).Assembly;
        if (PackageManifestPath is not { } props)
        {
            Assert.Skip($"No package manifest buildTransitive/{assembly.GetName().Name}.props was found above {AppContext.BaseDirectory}; override PackageManifestPath to check it. Its index should be: {HostRules.PackageIndex(assembly.Location)}");
            return;
        }

        if (HostRules.PackageManifestProblem(props, assembly.Location) is { } problem)
        {
            Assert.Fail(problem);
        }
    }

    /// <summary>Construction is quick and does not probe (the host may construct a platform only to probe it, and never select it).</summary>
    [Fact]
    public void Constructor_is_cheap_and_does_not_probe()
    {
        var clock = Stopwatch.StartNew();
        var platform = CreatePlatform();
        clock.Stop();

        if (clock.Elapsed > ConstructionBudget)
        {
            Assert.Fail(string.Create(CultureInfo.InvariantCulture,
                $"Constructing {TypeName} took {clock.Elapsed.TotalMilliseconds:0} ms (budget {ConstructionBudget.TotalMilliseconds:0} ms). The constructor must not touch hardware or load libraries: move that work into ProbeCore (read-only) or InitializeDevice."));
        }

        if (platform.LastProbeResult is not null)
        {
            Assert.Fail($"Constructing {TypeName} ran its probe. The host probes each platform itself, under a time limit; do not call Probe from the constructor.");
        }
    }

    /// <summary>On a machine without the hardware the probe says NotPresent, with a reason, within the time limit.</summary>
    [Fact]
    public void Probe_on_an_empty_machine_is_not_present()
    {
        using var root = new FakeSystemRoot();

        var verdict = HostRules.Probe(PlatformName, CreatePlatform, root.View(), ProbeTimeout);

        if (verdict.Status != CandidateStatus.NotPresent)
        {
            Assert.Fail($"On an empty machine (no PCI devices, no /dev nodes) the host records '{PlatformName}' as {verdict.Status}: {verdict.Reason} " +
                "A probe must return ProbeResult.NotPresent(\"what was looked for\") when its hardware is absent, without throwing, and within the probe time limit.");
        }

        if (string.IsNullOrWhiteSpace(verdict.Reason))
        {
            Assert.Fail($"The NotPresent result of '{PlatformName}' has no reason; say what the probe looked for (for example \"no PCI device of vendor 0x1ed5 and no /dev/mtgpu* node\").");
        }
    }

    /// <summary>On the vendor's fake device (<see cref="ConfigureDevice"/>) the probe says Available with consistent devices.</summary>
    [Fact]
    public void Probe_on_the_vendors_device_is_available()
    {
        using var root = new FakeSystemRoot();
        ConfigureDevice(root);

        var verdict = HostRules.Probe(PlatformName, CreatePlatform, root.View(), ProbeTimeout);

        if (verdict.Status != CandidateStatus.Available)
        {
            Assert.Fail($"On the fake device from ConfigureDevice the host records '{PlatformName}' as {verdict.Status}: {verdict.Reason} " +
                "Either ConfigureDevice does not describe the hardware the probe looks for, or the probe misses it; they must agree so the plugin is selected on real hardware.");
        }
    }

    /// <summary>Applying the serving defaults twice gives the same arguments as applying them once.</summary>
    [Fact]
    public void Server_args_defaults_are_idempotent()
    {
        var platform = CreatePlatform();
        var args = new ServerArgs();

        platform.Serving.ApplyServerArgsDefaults(args);
        var once = Snapshot(args);
        platform.Serving.ApplyServerArgsDefaults(args);
        var twice = Snapshot(args);

        FailIfAny(Differences(once, twice, (name, a, b) =>
            $"ServerArgs.{name} is {a} after ApplyServerArgsDefaults and {b} after applying it again; fill only null properties (args.X ??= value).").ToList());
    }

    /// <summary>No serving argument the user set is overridden.</summary>
    [Fact]
    public void Server_args_defaults_never_override_a_user_set_value()
    {
        var problems = new List<string>();
        foreach (var flavour in new[] { false, true })
        {
            var args = UserSetArguments<ServerArgs>(flavour);
            var before = Snapshot(args);
            CreatePlatform().Serving.ApplyServerArgsDefaults(args);
            problems.AddRange(Differences(before, Snapshot(args), (name, a, b) =>
                $"ApplyServerArgsDefaults changed the user-set ServerArgs.{name} from {a} to {b}; fill only null properties (args.X ??= value)."));
        }

        FailIfAny(problems.Distinct().ToList());
    }

    /// <summary>The diffusion defaults are idempotent and never override a user-set value.</summary>
    [Fact]
    public void Diffusion_args_defaults_are_idempotent_and_never_override_a_user_set_value()
    {
        var platform = CreatePlatform();
        var fresh = new DiffusionArgs();
        platform.Diffusion.ApplyDiffusionArgsDefaults(fresh);
        var once = Snapshot(fresh);
        platform.Diffusion.ApplyDiffusionArgsDefaults(fresh);
        var problems = Differences(once, Snapshot(fresh), (name, a, b) =>
            $"DiffusionArgs.{name} is {a} after ApplyDiffusionArgsDefaults and {b} after applying it again; fill only null properties.").ToList();

        foreach (var flavour in new[] { false, true })
        {
            var args = UserSetArguments<DiffusionArgs>(flavour);
            var before = Snapshot(args);
            platform.Diffusion.ApplyDiffusionArgsDefaults(args);
            problems.AddRange(Differences(before, Snapshot(args), (name, a, b) =>
                $"ApplyDiffusionArgsDefaults changed the user-set DiffusionArgs.{name} from {a} to {b}; fill only null properties."));
        }

        FailIfAny(problems.Distinct().ToList());
    }

    private static PlatformMetadataAttribute RequireMetadata() =>
        Metadata ?? throw new InvalidOperationException(
            $"{TypeName} has no [PlatformMetadata]; add [PlatformMetadata(\"name\", Kind = PlatformEnum.Oot, Priority = 200, Vendor = \"...\")] next to its export.");

    private static void FailIfAny(List<string> problems)
    {
        if (problems.Count > 0)
        {
            Assert.Fail($"{TypeName}:\n{string.Join('\n', problems.Select(p => "- " + p))}");
        }
    }

    private static Dictionary<string, object?> Snapshot(object args) =>
        args.GetType().GetProperties(BindingFlags.Public | BindingFlags.Instance)
            .Where(p => p.CanRead && p.GetIndexParameters().Length == 0)
            .ToDictionary(p => p.Name, p => p.GetValue(args));

    private static IEnumerable<string> Differences(Dictionary<string, object?> before, Dictionary<string, object?> after, Func<string, string, string, string> describe) =>
        before.Where(p => !Equals(p.Value, after[p.Key])).Select(p => describe(p.Key, Show(p.Value), Show(after[p.Key])));

    private static string Show(object? value) => value switch
    {
        null => "unset",
        string s => $"'{s}'",
        IFormattable f => f.ToString(null, CultureInfo.InvariantCulture),
        _ => value.ToString() ?? "",
    };

    /// <summary>Arguments with every settable property set as a user would; <paramref name="flavour"/> flips booleans and enums so no default can coincide with both runs.</summary>
    private static T UserSetArguments<T>(bool flavour)
        where T : new()
    {
        var args = new T();
        foreach (var property in typeof(T).GetProperties(BindingFlags.Public | BindingFlags.Instance).Where(p => p.CanWrite))
        {
            var type = Nullable.GetUnderlyingType(property.PropertyType) ?? property.PropertyType;
            object? value = type switch
            {
                _ when type == typeof(string) => UserSet,
                _ when type == typeof(bool) => flavour,
                _ when type == typeof(int) => flavour ? 3 : 5,
                _ when type == typeof(long) => flavour ? 3L : 5L,
                _ when type == typeof(double) => flavour ? 0.37 : 0.73,
                _ when type == typeof(float) => flavour ? 0.37f : 0.73f,
                _ when type.IsEnum => Enum.GetValues(type).GetValue(flavour ? 0 : Enum.GetValues(type).Length - 1),
                _ => null,
            };
            if (value is not null)
            {
                property.SetValue(args, value);
            }
        }

        return args;
    }
}
