using System.Reflection;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Schema;
using System.Text.Json.Serialization;
using System.Text.Json.Serialization.Metadata;
using Json.Schema;
using TapeChanger.Cleaning;
using TapeChanger.Cli.Output;

namespace TapeChanger.Cli.Tests;

/// <summary>
/// docs/schemas/*.schema.json: one JSON Schema (draft 2020-12) per --json document. They are made from the documents'
/// own types (System.Text.Json's schema exporter over the CLI's source-generated context, every object closed with
/// additionalProperties false, every property that is always written required, operation states listed), and a test
/// holds the files to the types; real output of the commands on the virtual library is validated against the files.
/// Set TAPECHANGER_UPDATE_SCHEMAS=1 to rewrite the files after changing a document type.
/// </summary>
public sealed class JsonSchemaTests : IDisposable
{
    /// <summary>Schema file name (without .schema.json), the document, and what writes it.</summary>
    public static readonly (string Name, JsonTypeInfo Type, string Description)[] Documents =
    [
        ("error", CliJsonContext.Default.ErrorDocument, "Any command with --json that fails (ok false): error kind, exit code, one-line message, sense when the device gave one."),
        ("status", CliJsonContext.Default.StatusDocument, "`status --json`: the library's identity, element map and every element; drives carry their serial, needsCleaning and the reserved cleaner slot is marked."),
        ("inquiry", CliJsonContext.Default.InquiryDocument, "`inquiry --json`: identity, element map, capabilities, chosen hardware profile and RSM object ids."),
        ("move", CliJsonContext.Default.MoveDocument, "`load`, `unload`, `transfer`, `move`, `import`, `export`, `exchange`, `position` with --json."),
        ("message", CliJsonContext.Default.MessageDocument, "Commands that only report a sentence (inventory, ieport, virtual operator actions) with --json."),
        ("element-status", CliJsonContext.Default.ElementStatusDocument, "`decode element-status --json`."),
        ("sense", CliJsonContext.Default.SenseDocument, "`decode sense --json`."),
        ("inquiry-decode", CliJsonContext.Default.InquiryDecodeDocument, "`decode inquiry --json`."),
        ("mode-sense", CliJsonContext.Default.ModeSenseDocument, "`decode mode-sense --json`."),
        ("log-sense", CliJsonContext.Default.LogSenseDocument, "`decode log-sense --json`."),
        ("cleaner-result", CliJsonContext.Default.CleanerResultDocument, "Every cleaner command (`cleaner reserve|release|inject|eject`, `clean`, `operations confirm|recover`) with --json: RSM result name and code; `clean --all|--if-needed` lists one entry per drive in drives."),
        ("cleaner-status", CliJsonContext.Default.CleanerStatusDocument, "`cleaner status --json`."),
        ("operations", CliJsonContext.Default.OperationsDocument, "`operations --json`: the recent operations, newest first."),
        ("operation", CliJsonContext.Default.OperationDocument, "`operations ID --json`: one operation."),
        ("progress-event", CliJsonContext.Default.ProgressEvent, "With --json, each line a cleaner operation run in the foreground writes to stderr (a state change, or at most one every 30 s)."),
        ("list", CliJsonContext.Default.ListDocument, "`list --json`: the changers found on this host and their paired drives."),
        ("profiles", CliJsonContext.Default.ProfilesDocument, "`profiles --json`: the hardware profiles, shipped and overrides."),
        ("faults", CliJsonContext.Default.FaultsDocument, "`virtual fault add|list --json`."),
        ("db-check", CliJsonContext.Default.DbCheckDocument, "`db check --json`: the state database's integrity, schema version and rows per table."),
        ("db-file", CliJsonContext.Default.DbFileDocument, "`db backup|restore --json`: the database, the other file, the schema version and the database a restore replaced."),
    ];

    public static string RepoRoot
    {
        get
        {
            for (var d = new DirectoryInfo(AppContext.BaseDirectory); d is not null; d = d.Parent)
            {
                if (File.Exists(Path.Combine(d.FullName, "TapeChanger.sln"))) return d.FullName;
            }
            throw new InvalidOperationException("repository root not found above " + AppContext.BaseDirectory);
        }
    }

    public static string SchemaPath(string name) => Path.Combine(RepoRoot, "docs", "schemas", name + ".schema.json");

    public static string Generate(string name, JsonTypeInfo type, string description)
    {
        var exporter = new JsonSchemaExporterOptions
        {
            TreatNullObliviousAsNonNullable = true,
            TransformSchemaNode = (ctx, node) =>
            {
                if (node is not JsonObject o) return node;
                if (ctx.TypeInfo.Kind == JsonTypeInfoKind.Object && o["properties"] is JsonObject)
                {
                    o["additionalProperties"] = false;
                    var always = ctx.TypeInfo.Properties.Where(p => !WrittenOnlyWhenSet(p)).Select(p => (JsonNode)p.Name).ToArray();
                    o["required"] = new JsonArray(always);
                }
                if (ctx.PropertyInfo is { Name: "state" } p && (p.DeclaringType == typeof(OperationJson) || p.DeclaringType == typeof(ProgressEvent) || p.DeclaringType == typeof(CleaningNowJson)))
                {
                    o["enum"] = new JsonArray(OperationStates.AllNames.Select(n => (JsonNode)n).ToArray());
                }
                if (ctx.PropertyInfo is { Name: "ok" } ok && ok.DeclaringType != typeof(CleanerResultDocument))
                {
                    o["const"] = ok.DeclaringType != typeof(ErrorDocument);
                }
                return node;
            },
        };
        var body = type.GetJsonSchemaAsNode(exporter).AsObject();
        var doc = new JsonObject
        {
            ["$schema"] = "https://json-schema.org/draft/2020-12/schema",
            ["title"] = $"tapechanger {name}",
            ["description"] = description,
        };
        foreach (var (k, v) in body.ToList())
        {
            body.Remove(k);
            doc[k] = v;
        }
        return doc.ToJsonString(new JsonSerializerOptions { WriteIndented = true, Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping }).ReplaceLineEndings("\n") + "\n";
    }

    /// <summary>A property with JsonIgnore(WhenWritingNull/Default) is left out when unset, so it is not required.</summary>
    private static bool WrittenOnlyWhenSet(JsonPropertyInfo p) =>
        p.AttributeProvider?.GetCustomAttributes(typeof(JsonIgnoreAttribute), false).OfType<JsonIgnoreAttribute>()
            .Any(a => a.Condition is JsonIgnoreCondition.WhenWritingNull or JsonIgnoreCondition.WhenWritingDefault) == true;

    [Fact]
    public void Every_document_type_has_its_schema_file_and_the_file_matches_the_type()
    {
        bool update = Environment.GetEnvironmentVariable("TAPECHANGER_UPDATE_SCHEMAS") == "1";
        foreach (var (name, type, description) in Documents)
        {
            string want = Generate(name, type, description);
            if (update) File.WriteAllText(SchemaPath(name), want);
            Assert.True(File.Exists(SchemaPath(name)), $"{SchemaPath(name)} is missing (TAPECHANGER_UPDATE_SCHEMAS=1 writes it)");
            Assert.Equal(want, File.ReadAllText(SchemaPath(name)).ReplaceLineEndings("\n"));
        }
        // Every document the CLI serialises has a schema.
        var documented = Documents.Select(d => d.Type.Type).ToHashSet();
        var all = typeof(CliJsonContext).GetProperties(BindingFlags.Public | BindingFlags.Instance)
            .Where(p => p.PropertyType.IsGenericType && p.PropertyType.GetGenericTypeDefinition() == typeof(JsonTypeInfo<>))
            .Select(p => p.PropertyType.GetGenericArguments()[0])
            .Where(t => t.Name.EndsWith("Document", StringComparison.Ordinal) || t == typeof(ProgressEvent));
        Assert.All(all, t => Assert.Contains(t, documented));
    }

    [Fact]
    public void The_schemas_refuse_what_the_documents_never_contain()
    {
        var op = Load("operation");
        string good = """{"ok":true,"operation":{"id":"00000000-0000-0000-0000-000000000001","kind":"clean","state":"queued","final":false,"result":"ERROR_IO_PENDING","code":997,"message":null,"progress":"queued","via":"ieport","drive":0,"barcode":null,"created":"2026-01-01T00:00:00+00:00","updated":"2026-01-01T00:00:00+00:00","completed":null,"deadline":null,"step":null,"workerPid":null}}""";
        Assert.True(op.Evaluate(JsonDocument.Parse(good).RootElement).IsValid);
        Assert.False(op.Evaluate(JsonDocument.Parse(good.Replace("\"queued\",\"final\"", "\"sleeping\",\"final\"")).RootElement).IsValid);
        Assert.False(op.Evaluate(JsonDocument.Parse(good.Replace("\"workerPid\":null", "\"workerPid\":null,\"extra\":1")).RootElement).IsValid);
        Assert.False(op.Evaluate(JsonDocument.Parse(good.Replace("\"ok\":true", "\"ok\":false")).RootElement).IsValid);
        Assert.False(Load("cleaner-result").Evaluate(JsonDocument.Parse("""{"ok":true,"result":"ERROR_SUCCESS","code":0,"message":"x","surprise":1}""").RootElement).IsValid);
        Assert.False(Load("status").Evaluate(JsonDocument.Parse("""[{"ok":true}]""").RootElement).IsValid);
    }

    // ---- real output on the virtual library ----

    private readonly string _root = Directory.CreateTempSubdirectory("tc-schema-").FullName;
    private string Config => Path.Combine(_root, "cfg");

    public JsonSchemaTests()
    {
        Directory.CreateDirectory(Config);
        string src = Path.Combine(AppContext.BaseDirectory, "mhvtl", "library10");
        foreach (var f in Directory.GetFiles(src)) File.Copy(f, Path.Combine(Config, Path.GetFileName(f)));
        string conf = Path.Combine(Config, "device.conf");
        File.WriteAllText(conf, File.ReadAllText(conf).Replace("# Cleaning time: 30", " Cleaning time: 1"));
    }

    public void Dispose()
    {
        try { Directory.Delete(_root, true); } catch (IOException) { }
    }

    private static JsonSchema Load(string name) => JsonSchema.FromText(File.ReadAllText(SchemaPath(name)));

    private async Task<(int Code, string Stdout, string Stderr)> Run(params string[] args)
    {
        using var stdout = new StringWriter();
        using var stderr = new StringWriter();
        int rc = await TapeChangerCli.RunAsync(["--device", "virtual:" + Config, "--state-dir", Path.Combine(_root, "state"), .. args], stdout, stderr);
        return (rc, stdout.ToString(), stderr.ToString());
    }

    private static void Valid(string schema, string json, string what)
    {
        var result = Load(schema).Evaluate(JsonDocument.Parse(json).RootElement, new EvaluationOptions { OutputFormat = OutputFormat.List });
        var errors = (result.Details ?? []).Where(d => d.Errors is { Count: > 0 }).SelectMany(d => d.Errors!.Select(e => $"{d.InstanceLocation}: {e.Value}"));
        Assert.True(result.IsValid, $"{what} does not match docs/schemas/{schema}.schema.json:\n{string.Join('\n', errors)}\n{json}");
    }

    private async Task Check(string schema, params string[] args)
    {
        var (code, stdout, stderr) = await Run([.. args, "--json"]);
        Assert.True(code is 0 or 91, $"{string.Join(' ', args)}: exit {code}\n{stdout}{stderr}");
        Valid(schema, stdout, string.Join(' ', args));
    }

    [Fact]
    public async Task Real_output_of_every_command_matches_its_schema()
    {
        await Check("status", "status");
        await Check("inquiry", "inquiry");
        await Check("move", "load", "1", "0");
        await Check("move", "unload", "1", "0");
        await Check("message", "inventory");
        await Check("list", "list");
        await Check("profiles", "profiles");
        await Check("faults", "virtual", "fault", "list");
        var (code, stdout, _) = await Run("load", "99", "--json");
        Assert.NotEqual(0, code);
        Valid("error", stdout, "load 99");

        await Check("cleaner-status", "cleaner", "status");
        await Check("cleaner-result", "cleaner", "reserve", "21");
        Assert.Equal(0, (await Run("virtual", "drive", "tapealert", "1", "80000")).Code);
        await Check("cleaner-result", "clean", "--if-needed", "--all", "--dry-run");
        var (spent, failed, _) = await Run("clean", "--if-needed", "--all", "--json");     // no cleaner yet: 84, one drive entry
        Assert.Equal(84, spent);
        Valid("cleaner-result", failed, "clean --if-needed --all (no cleaner)");

        var inject = await Run("cleaner", "inject", "--cleans", "5", "--json");
        Valid("cleaner-result", inject.Stdout, "cleaner inject");
        string id = JsonNode.Parse(inject.Stdout)!["operation"]!.GetValue<string>();
        await Check("operation", "operations", id);
        await Check("operations", "operations");
        await Check("cleaner-status", "cleaner", "status");

        // A cleaning in the foreground with --json: the document on stdout, progress events on stderr.
        var stopped = await Run("cleaner", "inject", "--stop", id, "--json");
        Valid("cleaner-result", stopped.Stdout, "cleaner inject --stop");
        for (int i = 0; i < 100 && JsonNode.Parse((await Run("operations", id, "--json")).Stdout)!["operation"]!["final"]!.GetValue<bool>() == false; i++)
        {
            await Task.Delay(100);
        }
        var injectHere = Run("cleaner", "inject", "--cleans", "5", "--wait", "--json");
        Assert.Equal(0, (await Run("virtual", "ieport", "open")).Code);
        Assert.Equal(0, (await Run("virtual", "ieport", "insert", "CLN501L8")).Code);
        Assert.Equal(0, (await Run("virtual", "ieport", "close")).Code);
        var injected = await injectHere;
        Assert.True(injected.Code == 0, injected.Stdout + injected.Stderr);
        var events = injected.Stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.NotEmpty(events);
        foreach (var e in events) Valid("progress-event", e, "progress event");
        var clean = await Run("clean", "--if-needed", "--all", "--wait", "--json");
        Assert.True(clean.Code == 0, clean.Stdout + clean.Stderr);
        Valid("cleaner-result", clean.Stdout, "clean --if-needed --all --wait");
        Assert.Equal("passed", JsonNode.Parse(clean.Stdout)!["drives"]![0]!["state"]!.GetValue<string>());
        Assert.Contains(clean.Stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries), l => JsonNode.Parse(l)!["state"]!.GetValue<string>() == "passed");
    }

    [Fact]
    public async Task Decoders_match_their_schemas()
    {
        string F(string n) => Path.Combine(AppContext.BaseDirectory, "Fixtures", n);
        await Check("sense", "decode", "sense", F("hpe-msl3040-sense-ua-06-28-00.hex"));
        await Check("inquiry-decode", "decode", "inquiry", F("hpe-msl3040-inquiry-standard.hex"));
        await Check("mode-sense", "decode", "mode-sense", F("hpe-msl3040-modesense10-page1d.hex"));
        await Check("log-sense", "decode", "log-sense", F("hpe-ultrium9-logsense-2e-drive.hex"));
        await Check("element-status", "decode", "element-status", F("hpe-msl3040-res-all-voltag-curdata.hex"));
    }
}
