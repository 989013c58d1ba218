using System.Reflection;
using System.Reflection.Metadata;
using System.Reflection.PortableExecutable;
using TapeChanger.Transport;

namespace TapeChanger.Cli.Tests;

/// <summary>
/// The layering of docs/architecture.md, checked on the built assemblies' metadata (every type and member they
/// reference): Cleaning and the CLI use the domain; only TapeChanger.Composition names concrete transports; nobody above
/// the transport layer builds CDBs or executes raw commands. Cleaning is also compiled without transitive project
/// references (its project file), so it cannot even see the transport assembly.
/// </summary>
public sealed class ArchitectureTests
{
    private static readonly Assembly Cli = typeof(ExitCodes).Assembly;
    private static readonly Assembly Cleaning = typeof(TapeChanger.Cleaning.CleanerService).Assembly;
    private static readonly Assembly Domain = typeof(TapeChanger.Domain.MediaChanger).Assembly;
    private static readonly Assembly Service = typeof(TapeChanger.Service.Opening.LibraryOpener).Assembly;

    /// <summary>The assemblies of the concrete transports (TapeChanger.Transport itself holds the seams and replay).</summary>
    private static readonly string[] TransportAssemblies =
        ["TapeChanger.Transport.Linux", "TapeChanger.Transport.Iscsi", "TapeChanger.Transport.Windows", "TapeChanger.Transport.Usb", "TapeChanger.Transport.Mhvtl"];

    /// <summary>Every type an assembly references from other assemblies, as "Namespace.Name" (nested types by their outer type).</summary>
    private static HashSet<string> ReferencedTypes(Assembly assembly)
    {
        using var pe = new PEReader(File.OpenRead(assembly.Location));
        var md = pe.GetMetadataReader();
        var names = new HashSet<string>(StringComparer.Ordinal);
        foreach (var h in md.TypeReferences)
        {
            var t = md.GetTypeReference(h);
            var outer = t;
            while (outer.ResolutionScope.Kind == HandleKind.TypeReference) outer = md.GetTypeReference((TypeReferenceHandle)outer.ResolutionScope);
            names.Add($"{md.GetString(outer.Namespace)}.{md.GetString(t.Name)}");
        }
        return names;
    }

    /// <summary>Every member an assembly references on another assembly's type, as "Namespace.Type::Member".</summary>
    private static HashSet<string> ReferencedMembers(Assembly assembly)
    {
        using var pe = new PEReader(File.OpenRead(assembly.Location));
        var md = pe.GetMetadataReader();
        var names = new HashSet<string>(StringComparer.Ordinal);
        foreach (var h in md.MemberReferences)
        {
            var m = md.GetMemberReference(h);
            if (m.Parent.Kind != HandleKind.TypeReference) continue;
            var t = md.GetTypeReference((TypeReferenceHandle)m.Parent);
            names.Add($"{md.GetString(t.Namespace)}.{md.GetString(t.Name)}::{md.GetString(m.Name)}");
        }
        return names;
    }

    /// <summary>Transport, factory and drive-locator implementations of every assembly the CLI ships (the concrete transports).</summary>
    private static IReadOnlyList<string> ConcreteTransports()
    {
        var seams = new[] { typeof(IScsiTransport), typeof(IScsiTransportFactory), typeof(IDriveLocator) };
        var assemblies = new[] { "TapeChanger.Transport", "TapeChanger.Virtual" }.Concat(TransportAssemblies).Select(n => Assembly.Load(n));
        return assemblies.SelectMany(a => a.GetTypes())
            .Where(t => t.IsClass && seams.Any(s => s.IsAssignableFrom(t)))
            .Where(t => t != typeof(TracingTransport) && t != typeof(ScsiLogTransport))   // decorators (--verbose, the SCSI log), not transports
            .Select(t => t.FullName!).ToList();
    }

    [Fact]
    public void The_concrete_transports_are_found_so_the_checks_below_mean_something()
    {
        var all = ConcreteTransports();
        Assert.Contains("TapeChanger.Transport.Linux.SgTransport", all);
        Assert.Contains("TapeChanger.Transport.Iscsi.IscsiDriveLocator", all);
        Assert.Contains("TapeChanger.Virtual.VirtualTransport", all);
        Assert.Contains("TapeChanger.Transport.Replay.CaptureReplayTransportFactory", all);
        Assert.Contains("TapeChanger.Transport.Mhvtl.MhvtlTransport", all);
        // The composition root does name them: the scan sees references.
        var composition = ReferencedTypes(typeof(TapeChanger.Composition.Transports).Assembly);
        Assert.Contains("TapeChanger.Transport.Linux.SgTransportFactory", composition);
        Assert.Contains("TapeChanger.Transport.Iscsi.IscsiDriveLocator", composition);
    }

    [Theory]
    [InlineData("cli")]
    [InlineData("cleaning")]
    [InlineData("domain")]
    [InlineData("service")]
    public void Above_the_transports_nobody_names_a_concrete_transport(string which)
    {
        var used = ReferencedTypes(Pick(which));
        None(ConcreteTransports().Where(used.Contains), which, "names a concrete transport");
        // nor anything else of a transport assembly (sysfs, iSCSI discovery, Windows, USB and mhVTL enumerators live in the composition root)
        None(used.Where(t => TransportAssemblies.Any(a => t.StartsWith(a + ".", StringComparison.Ordinal))), which, "uses a transport assembly");
    }

    [Theory]
    [InlineData("cli")]
    [InlineData("cleaning")]
    [InlineData("domain")]
    [InlineData("service")]
    public void Above_the_transports_nobody_builds_a_CDB_or_executes_raw_commands(string which)
    {
        var assembly = Pick(which);
        None(ReferencedTypes(assembly).Where(t => t.StartsWith("TapeChanger.Scsi.Cdb.", StringComparison.Ordinal)), which, "builds CDBs");
        None(ReferencedTypes(assembly).Where(t => t is "TapeChanger.Transport.ScsiChannel" or "TapeChanger.Transport.ScsiResultChecker"), which, "executes through a channel");
        None(ReferencedMembers(assembly).Where(m => m.EndsWith("::ExecuteAsync", StringComparison.Ordinal) || m.EndsWith("::ExecuteOnceAsync", StringComparison.Ordinal)), which, "executes raw commands");
    }

    [Fact]
    public void Cleaning_uses_the_domain_not_the_transport_layer()
    {
        Assert.DoesNotContain(Cleaning.GetReferencedAssemblies(), a => a.Name!.StartsWith("TapeChanger.Transport", StringComparison.Ordinal));
        None(ReferencedTypes(Cleaning).Where(t => t.StartsWith("TapeChanger.Transport.", StringComparison.Ordinal)), "cleaning", "uses the transport layer");
    }

    /// <summary>
    /// No assembly of the CLI builds a regular expression at run time (a Regex constructor with a pattern, or a static
    /// Regex method that takes one): the trimmer then leaves the regular-expression parser, interpreter and
    /// non-backtracking engine out of the NativeAOT image, about 180 fewer static blocks for the runtime to allocate
    /// at every start (docs/performance.md). Source-generated expressions ([GeneratedRegex]) build nothing at run time.
    /// Profile patterns go through TapeChanger.Domain's PatternExpression.
    /// </summary>
    [Fact]
    public void No_assembly_of_the_cli_builds_a_regular_expression_at_run_time()
    {
        var seen = new List<string>();
        var found = new List<string>();
        foreach (var (assembly, md) in CliAssemblies())
        {
            seen.Add(assembly);
            foreach (var h in md.MemberReferences)
            {
                var m = md.GetMemberReference(h);
                if (m.Parent.Kind != HandleKind.TypeReference) continue;
                var t = md.GetTypeReference((TypeReferenceHandle)m.Parent);
                if (md.GetString(t.Namespace) != "System.Text.RegularExpressions" || md.GetString(t.Name) != "Regex") continue;
                var blob = md.GetBlobReader(m.Signature);
                var header = blob.ReadSignatureHeader();
                if (header.Kind != SignatureKind.Method) continue;
                if (header.IsGeneric) blob.ReadCompressedInteger();
                int parameters = blob.ReadCompressedInteger();
                string member = md.GetString(m.Name);
                // ValidateMatchTimeout: the check a generated expression's constructor makes of its time-out.
                if ((member == ".ctor" && parameters > 0) || (!header.IsInstance && member is not (".ctor" or "ValidateMatchTimeout"))) found.Add($"{assembly}: Regex::{member} ({parameters} parameters)");
            }
        }
        Assert.Contains("TapeChanger.Domain", seen);
        Assert.Contains("TapeChanger.State", seen);
        Assert.Empty(found);
    }

    /// <summary>
    /// On Linux the first call into System.Security.Cryptography loads OpenSSL (dlopen of libssl and libcrypto: about
    /// 12.7 million instructions, more than a whole 2,000-slot status; callgrind, docs/performance.md). Only what
    /// needs it may reach it: API tokens (TapeChanger.Access) and CHAP's MD5 (the iSCSI login). State keys are hashed
    /// by StateKeyHash, temp file names take Random.Shared.
    /// </summary>
    [Fact]
    public void Only_tokens_and_chap_reach_the_cryptography_library()
    {
        var seen = new List<string>();
        var users = new SortedSet<string>(StringComparer.Ordinal);
        foreach (var (assembly, md) in CliAssemblies())
        {
            seen.Add(assembly);
            foreach (var h in md.TypeReferences)
            {
                var t = md.GetTypeReference(h);
                if (md.GetString(t.Namespace).StartsWith("System.Security.Cryptography", StringComparison.Ordinal))
                {
                    users.Add($"{assembly}: {md.GetString(t.Name)}");
                }
            }
        }
        Assert.Contains("TapeChanger.Storage", seen);
        Assert.All(users, u => Assert.True(u.StartsWith("TapeChanger.Access: ", StringComparison.Ordinal) || u.StartsWith("TapeChanger.Transport.Iscsi: ", StringComparison.Ordinal), u));
        Assert.Contains(users, u => u.StartsWith("TapeChanger.Access: RandomNumberGenerator", StringComparison.Ordinal));
    }

    /// <summary>The CLI's assembly and every TapeChanger assembly it reaches, each once, with its metadata (valid until the next one).</summary>
    private static IEnumerable<(string Name, MetadataReader Metadata)> CliAssemblies()
    {
        var seen = new HashSet<string>(StringComparer.Ordinal);
        var pending = new Stack<Assembly>([Cli]);
        while (pending.Count > 0)
        {
            var assembly = pending.Pop();
            if (!seen.Add(assembly.GetName().Name!)) continue;
            foreach (var name in assembly.GetReferencedAssemblies().Where(a => a.Name!.StartsWith("TapeChanger.", StringComparison.Ordinal)))
            {
                pending.Push(Assembly.Load(name));
            }
            using var pe = new PEReader(File.OpenRead(assembly.Location));
            yield return (assembly.GetName().Name!, pe.GetMetadataReader());
        }
    }

    [Fact]
    public void The_cli_reaches_transports_only_through_the_composition_root()
    {
        foreach (var front in new[] { Cli, Service })
        {
            var direct = front.GetReferencedAssemblies().Select(a => a.Name!).ToHashSet();
            foreach (string transport in TransportAssemblies) Assert.DoesNotContain(transport, direct);
            Assert.Contains("TapeChanger.Composition", direct);
        }
    }

    [Fact]
    public void The_state_database_stands_on_storage_and_sqlite_only_and_only_it_names_sqlite()
    {
        var state = typeof(TapeChanger.State.StateDatabase).Assembly;
        var refs = state.GetReferencedAssemblies().Select(a => a.Name!).Where(n => n.StartsWith("TapeChanger.", StringComparison.Ordinal)).ToList();
        Assert.Equal(["TapeChanger.Storage"], refs);
        Assert.Contains(state.GetReferencedAssemblies(), a => a.Name == "Microsoft.Data.Sqlite");
        // Below the domain nothing knows the state database (the device's own state, the virtual library's, is a file).
        foreach (string lower in new[] { "TapeChanger.Scsi", "TapeChanger.Transport", "TapeChanger.Storage", "TapeChanger.Virtual", "TapeChanger.MhvtlConfig",
                     "TapeChanger.Transport.Linux", "TapeChanger.Transport.Iscsi", "TapeChanger.Transport.Mhvtl", "TapeChanger.Composition" })
        {
            Assert.DoesNotContain(Assembly.Load(lower).GetReferencedAssemblies(), a => a.Name == "TapeChanger.State");
        }
        // SQLite (its types, pragmas, locking) stays inside TapeChanger.State: the stores use its portable API.
        foreach (string which in new[] { "cli", "cleaning", "domain", "service" })
        {
            None(ReferencedTypes(Pick(which)).Where(t => t.StartsWith("Microsoft.Data.Sqlite.", StringComparison.Ordinal) || t.StartsWith("SQLitePCL.", StringComparison.Ordinal)), which, "names SQLite");
        }
    }

    private static void None(IEnumerable<string> offenders, string who, string what)
    {
        var list = offenders.Order(StringComparer.Ordinal).ToList();
        Assert.True(list.Count == 0, $"{who} {what}: {string.Join(", ", list)}");
    }

    private static Assembly Pick(string which) => which switch
    {
        "cli" => Cli,
        "cleaning" => Cleaning,
        "service" => Service,
        _ => Domain,
    };
}
