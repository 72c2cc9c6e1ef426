using System.Reflection;
using Mono.Cecil;
using Mono.Cecil.Cil;

namespace Portal.Tests.Architecture.Support;

/// <summary>
/// Which folder (first namespace segment under a root) uses which, read from an assembly's IL with
/// Mono.Cecil: base types, interfaces, attributes, fields, properties, method signatures, locals and
/// every type, method or field an instruction names. Compiler-generated nested types (lambdas, async
/// state machines, iterators) count for the folder of the type that declares them.
/// </summary>
public sealed class FolderGraph
{
    private readonly Dictionary<(string From, string To), string> _evidence = new();

    public IReadOnlyCollection<(string From, string To)> Edges => _evidence.Keys;

    public static FolderGraph Build(Assembly assembly, string rootNamespace)
    {
        var graph = new FolderGraph();
        foreach (var type in AllTypes(assembly))
        {
            var from = Folder(Outermost(type).Namespace, rootNamespace);
            if (from is null || IgnoredSources.Contains(from)) continue;
            foreach (var used in References(type))
            {
                var to = Folder(used.Namespace, rootNamespace);
                if (to is null || to == from) continue;
                graph._evidence.TryAdd((from, to), $"{type.FullName} uses {used.FullName}");
            }
        }
        return graph;
    }

    /// <summary>Every namespace an assembly's code names (its own included).</summary>
    public static IReadOnlySet<string> ReferencedNamespaces(Assembly assembly) =>
        AllTypes(assembly).SelectMany(References).Select(t => t.Namespace).Where(ns => ns.Length > 0).ToHashSet();

    /// <summary>Pairs of folders that use each other, each pair once, in alphabetical order.</summary>
    public IEnumerable<(string A, string B)> MutualPairs() =>
        _evidence.Keys
            .Where(e => string.CompareOrdinal(e.From, e.To) < 0 && _evidence.ContainsKey((e.To, e.From)))
            .OrderBy(e => e.From, StringComparer.Ordinal).ThenBy(e => e.To, StringComparer.Ordinal);

    /// <summary>One example each way for a "A &lt;-&gt; B" pair, to say where to start.</summary>
    public string Why(string pair)
    {
        var parts = pair.Split(" <-> ");
        return $"[{_evidence.GetValueOrDefault((parts[0], parts[1]))}] and [{_evidence.GetValueOrDefault((parts[1], parts[0]))}]";
    }

    /// <summary>
    /// Persistence is the hub every feature's entities meet in: the DbContext's sets and the
    /// migrations name them by design. Its edges out are not coupling a feature can remove.
    /// </summary>
    private static readonly HashSet<string> IgnoredSources = ["Persistence"];

    private static TypeDefinition Outermost(TypeDefinition t)
    {
        while (t.DeclaringType is not null) t = t.DeclaringType;
        return t;
    }

    private static string? Folder(string? ns, string root)
    {
        if (ns is null || !ns.StartsWith(root + ".", StringComparison.Ordinal)) return null;
        return ns[(root.Length + 1)..].Split('.')[0];
    }

    private static IEnumerable<TypeDefinition> AllTypes(Assembly assembly)
    {
        var module = ModuleDefinition.ReadModule(assembly.Location);
        return module.Types.SelectMany(Flatten);

        static IEnumerable<TypeDefinition> Flatten(TypeDefinition t) => new[] { t }.Concat(t.NestedTypes.SelectMany(Flatten));
    }

    /// <summary>Types a type names, reported under the outermost declaring type (so its namespace is real).</summary>
    private static IEnumerable<TypeReference> References(TypeDefinition type)
    {
        var found = new List<TypeReference>();
        void Add(TypeReference? t)
        {
            while (t is not null)
            {
                switch (t)
                {
                    case GenericInstanceType g:
                        foreach (var a in g.GenericArguments) Add(a);
                        t = g.ElementType;
                        continue;
                    case TypeSpecification s:
                        t = s.ElementType;
                        continue;
                    case GenericParameter:
                        return;
                }
                while (t.DeclaringType is not null) t = t.DeclaringType;
                found.Add(t);
                return;
            }
        }
        void AddAttributes(Mono.Cecil.ICustomAttributeProvider p)
        {
            foreach (var a in p.CustomAttributes) Add(a.AttributeType);
        }
        void AddMethod(MethodReference m)
        {
            Add(m.DeclaringType);
            Add(m.ReturnType);
            foreach (var p in m.Parameters) Add(p.ParameterType);
            if (m is GenericInstanceMethod gm) foreach (var a in gm.GenericArguments) Add(a);
        }

        Add(type.BaseType);
        foreach (var i in type.Interfaces) Add(i.InterfaceType);
        AddAttributes(type);
        foreach (var f in type.Fields) { Add(f.FieldType); AddAttributes(f); }
        foreach (var p in type.Properties) { Add(p.PropertyType); AddAttributes(p); }
        foreach (var e in type.Events) Add(e.EventType);
        foreach (var m in type.Methods)
        {
            AddMethod(m);
            AddAttributes(m);
            if (!m.HasBody) continue;
            foreach (var v in m.Body.Variables) Add(v.VariableType);
            foreach (var ins in m.Body.Instructions)
            {
                switch (ins.Operand)
                {
                    case TypeReference t: Add(t); break;
                    case MethodReference mr: AddMethod(mr); break;
                    case FieldReference fr: Add(fr.DeclaringType); Add(fr.FieldType); break;
                }
            }
        }
        return found;
    }
}
