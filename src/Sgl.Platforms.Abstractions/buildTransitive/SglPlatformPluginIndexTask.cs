// The MSBuild task behind SglUpdatePlatformPluginIndex (Sgl.Platforms.Abstractions.targets), compiled by
// RoslynCodeTaskFactory in the build of a platform plugin. It reads the plugin assembly just built, as the host's
// PluginAssemblyInspector reads it, and keeps the Index of the package manifest's <SglPlatformPlugin> item equal to
// what the assembly declares: it rewrites the item in a local build and fails a CI build that finds it stale.
//
// RoslynCodeTaskFactory compiles against netstandard, where System.Reflection.Metadata is missing, so the assembly
// is read through the SDK's MetadataLoadContext reached by reflection; everything after that is plain reflection
// over CustomAttributeData, which runs none of the plugin's code.
using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Reflection;
using System.Text;
using System.Xml.Linq;
using Microsoft.Build.Framework;
using Microsoft.Build.Utilities;

public sealed class SglPlatformPluginIndex : Task
{
    [Required] public string AssemblyPath { get; set; } = "";
    [Required] public string ManifestPath { get; set; } = "";
    [Required] public string[] References { get; set; } = Array.Empty<string>();
    public bool Update { get; set; }
    [Output] public string Index { get; set; } = "";

    public override bool Execute()
    {
        var assemblyName = Path.GetFileNameWithoutExtension(AssemblyPath);
        try
        {
            Index = Read(assemblyName);
        }
        catch (Exception e)
        {
            Log.LogWarning(null, "SGLP004", null, ManifestPath, 0, 0, 0, 0,
                "The platform plugin index of {0} could not be generated ({1}: {2}); the package's manifest keeps the Index it has. Check it with the conformance suite.", assemblyName, e.GetType().Name, e.Message);
            return true;
        }

        var document = XDocument.Load(ManifestPath, LoadOptions.PreserveWhitespace);
        var item = document.Descendants().FirstOrDefault(e => e.Name.LocalName == "SglPlatformPlugin" && (string)e.Attribute("Include") == assemblyName);
        if (item == null)
        {
            Log.LogWarning(null, "SGLP002", null, ManifestPath, 0, 0, 0, 0,
                "{0} has no <SglPlatformPlugin Include=\"{1}\"> item, so applications that reference the package will not find the plugin. Add <SglPlatformPlugin Include=\"{1}\"><Index>{2}</Index></SglPlatformPlugin>.", ManifestPath, assemblyName, Index);
            return true;
        }

        var attribute = item.Attribute("Index");
        var element = item.Elements().FirstOrDefault(e => e.Name.LocalName == "Index");
        var current = attribute != null ? attribute.Value : element != null ? element.Value : null;
        // No index for an assembly that exports no platform or also exports contributions: the host would skip the whole
        // assembly on the index's word, and an index cannot tell it about the contributions.
        var indexable = Index != "[]" && !_contributions;
        if (!indexable)
        {
            if (current == null)
            {
                return true;
            }

            if (!Update)
            {
                Log.LogError(null, "SGLP003", null, ManifestPath, 0, 0, 0, 0,
                    "<SglPlatformPlugin Include=\"{0}\"> in {1} carries an Index, but {0} exports {2}, which an index cannot describe: applications would skip it on machines without the indexed hardware. Remove the Index.",
                    assemblyName, ManifestPath, _contributions ? "contributions" : "no platform");
                return false;
            }

            if (attribute != null)
            {
                attribute.Remove();
            }

            if (element != null)
            {
                element.Remove();
            }

            Save(document);
            Log.LogMessage(MessageImportance.High, "{0}: removed the Index of {1}, which exports {2}.", ManifestPath, assemblyName, _contributions ? "contributions" : "no platform");
            return true;
        }

        if (current != null && current.Trim() == Index)
        {
            return true;
        }

        if (!Update && current == null)
        {
            // A plugin that predates the index still packs in CI (its applications read the assembly, as before).
            Log.LogWarning(null, "SGLP005", null, ManifestPath, 0, 0, 0, 0,
                "<SglPlatformPlugin Include=\"{0}\"> in {1} carries no Index, so applications read {0} at every start even where its hardware is absent. Build once outside CI to add it, or write <Index>{2}</Index>.", assemblyName, ManifestPath, Index);
            return true;
        }

        if (!Update)
        {
            Log.LogError(null, "SGLP003", null, ManifestPath, 0, 0, 0, 0,
                "The Index of <SglPlatformPlugin Include=\"{0}\"> in {1} is not what {0} declares, so the package would tell applications the wrong hardware. Build once outside CI to rewrite it, or write <Index>{2}</Index>.", assemblyName, ManifestPath, Index);
            return false;
        }

        if (attribute != null)
        {
            attribute.Remove();
        }

        if (element != null)
        {
            element.Value = Index;
        }
        else
        {
            var indent = item.PreviousNode is XText text ? text.Value.Substring(text.Value.LastIndexOf('\n') + 1) : "";
            item.Add(new XText("\n" + indent + "  "), new XElement(item.Name.Namespace + "Index", Index), new XText("\n" + indent));
        }

        Save(document);
        Log.LogMessage(MessageImportance.High, "{0}: updated the Index of {1} to what the assembly declares.", ManifestPath, assemblyName);
        return true;
    }

    private bool _contributions;

    private void Save(XDocument document) =>
        File.WriteAllText(ManifestPath, document.Declaration != null ? document.Declaration + "\n" + document.ToString(SaveOptions.DisableFormatting) : document.ToString(SaveOptions.DisableFormatting));

    private string Read(string assemblyName)
    {
        var directory = Path.GetDirectoryName(typeof(Task).Assembly.Location);
        var mlcAssembly = Assembly.LoadFrom(Path.Combine(directory, "System.Reflection.MetadataLoadContext.dll"));
        var paths = new List<string>();
        var names = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        foreach (var path in new[] { AssemblyPath }.Concat(References))
        {
            if (File.Exists(path) && names.Add(Path.GetFileNameWithoutExtension(path)))
            {
                paths.Add(path);
            }
        }

        var resolver = Activator.CreateInstance(mlcAssembly.GetType("System.Reflection.PathAssemblyResolver", true), new object[] { paths });
        var context = Activator.CreateInstance(mlcAssembly.GetType("System.Reflection.MetadataLoadContext", true), new object[] { resolver, null });
        try
        {
            var assembly = (Assembly)context.GetType().GetMethod("LoadFromAssemblyPath").Invoke(context, new object[] { Path.GetFullPath(AssemblyPath) });
            var contract = assembly.GetReferencedAssemblies().FirstOrDefault(r => r.Name == "Sgl.Platforms.Abstractions");
            var json = new StringBuilder("[");
            foreach (var type in assembly.GetTypes().Where(t => !t.IsAbstract))
            {
                var attributes = type.GetCustomAttributesData();
                _contributions |= attributes.Any(a => a.AttributeType.FullName == "System.Composition.ExportAttribute"
                    && a.ConstructorArguments.Any(c => c.Value is Type contract && contract.FullName != null && contract.FullName.StartsWith("Sgl.Platforms.Contributions.", StringComparison.Ordinal)));
                if (!DerivesFromPlatform(type))
                {
                    continue;
                }

                if (!attributes.Any(a => a.AttributeType.FullName == "System.Composition.ExportAttribute" && a.ConstructorArguments.Any(IsPlatformContract)))
                {
                    continue;
                }

                var metadata = attributes.FirstOrDefault(a => a.AttributeType.FullName == "Sgl.Platforms.PlatformMetadataAttribute");
                if (metadata == null)
                {
                    continue; // the host rejects it; the conformance suite says why
                }

                var kind = "Oot";
                var priority = 200;
                foreach (var named in metadata.NamedArguments)
                {
                    if (named.MemberName == "Kind")
                    {
                        kind = KindName(named.TypedValue);
                    }
                    else if (named.MemberName == "Priority")
                    {
                        priority = (int)named.TypedValue.Value;
                    }
                }

                json.Append(json.Length > 1 ? "," : "").Append("{\"name\":").Append(Quote((string)metadata.ConstructorArguments[0].Value ?? ""))
                    .Append(",\"kind\":").Append(Quote(kind)).Append(",\"priority\":").Append(priority.ToString(CultureInfo.InvariantCulture));
                if (contract != null)
                {
                    json.Append(",\"contract\":").Append(Quote(contract.Version.ToString()));
                }

                json.Append(",\"assembly\":").Append(Quote(assemblyName + ".dll")).Append(",\"match\":[");
                var first = true;
                foreach (var rule in attributes.Where(a => a.AttributeType.FullName == "Sgl.Platforms.HardwareMatchAttribute"))
                {
                    json.Append(first ? "{" : ",{");
                    first = false;
                    var fields = new List<string>();
                    foreach (var name in new[] { "PciVendor", "PciDevices", "PciClasses", "DeviceNodes", "KernelDrivers" })
                    {
                        foreach (var named in rule.NamedArguments.Where(n => n.MemberName == name))
                        {
                            var property = "\"" + char.ToLowerInvariant(name[0]) + name.Substring(1) + "\":";
                            if (name == "PciVendor")
                            {
                                fields.Add(property + Quote(Hex((ushort)named.TypedValue.Value, 4)));
                            }
                            else if (named.TypedValue.Value is IEnumerable<CustomAttributeTypedArgument> elements && elements.Any())
                            {
                                fields.Add(property + "[" + string.Join(",", elements.Select(e => e.Value is ushort id
                                    ? Quote(Hex(id, name == "PciClasses" && id <= 0xff ? 2 : 4)) : Quote((string)e.Value ?? ""))) + "]");
                            }
                        }
                    }

                    json.Append(string.Join(",", fields)).Append('}');
                }

                json.Append("]}");
            }

            return json.Append(']').ToString();
        }
        finally
        {
            ((IDisposable)context).Dispose();
        }
    }

    private static bool DerivesFromPlatform(Type type)
    {
        for (var current = type.BaseType; current != null; current = current.BaseType)
        {
            if (current.FullName == "Sgl.Platforms.Platform")
            {
                return true;
            }
        }

        return false;
    }

    private static bool IsPlatformContract(CustomAttributeTypedArgument argument) =>
        argument.Value is Type contract && contract.FullName == "Sgl.Platforms.Platform";

    private static string KindName(CustomAttributeTypedArgument value)
    {
        foreach (var field in value.ArgumentType.GetFields(BindingFlags.Public | BindingFlags.Static))
        {
            if (Equals(field.GetRawConstantValue(), value.Value))
            {
                return field.Name;
            }
        }

        return Convert.ToString(value.Value, CultureInfo.InvariantCulture);
    }

    private static string Hex(ushort value, int digits) => "0x" + value.ToString("x" + digits.ToString(CultureInfo.InvariantCulture), CultureInfo.InvariantCulture);

    private static string Quote(string value)
    {
        var text = new StringBuilder("\"");
        foreach (var c in value)
        {
            if (c == '"' || c == '\\')
            {
                text.Append('\\').Append(c);
            }
            else if (c < ' ')
            {
                text.Append("\\u").Append(((int)c).ToString("x4", CultureInfo.InvariantCulture));
            }
            else
            {
                text.Append(c);
            }
        }

        return text.Append('"').ToString();
    }
}
