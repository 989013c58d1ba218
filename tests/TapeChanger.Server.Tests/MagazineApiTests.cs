using System.Net;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using TapeChanger.Access;
using TapeChanger.Domain;
using TapeChanger.Server.Api;
using TapeChanger.Service;

namespace TapeChanger.Server.Tests;

/// <summary>
/// The status answer's magazines: from the virtual library's configuration (its "Magazine size", the same grouping its
/// magazine-removal faults use), from a hardware profile, or one group; and documented in the OpenAPI document.
/// </summary>
public class MagazineApiTests
{
    private static string Rows(JsonElement status) => string.Join(" ", status.GetProperty("magazines").EnumerateArray()
        .Select(m => $"{m.GetProperty("number").GetInt32()}:{m.GetProperty("firstSlot").GetInt32()}-{m.GetProperty("lastSlot").GetInt32()}/{m.GetProperty("slots").GetInt32()}"));

    [Fact]
    public async Task The_virtual_library_s_magazines_are_the_slots_a_pulled_magazine_takes_away()
    {
        await using var host = ServiceHost.Start();
        using var op = host.Http(host.Token(AccessRole.Operator, "mag-operator"));
        var status = ServiceHost.Parse(await op.GetStringAsync("api/v1/libraries/default/status"));
        // library 10: 39 slots, "Magazine size" 13 by default.
        Assert.Equal("virtual library configuration (Magazine size)", status.GetProperty("magazineSource").GetString());
        Assert.Equal("1:1-13/13 2:14-26/13 3:27-39/13", Rows(status));

        // Pull magazine 2 in the virtual library: exactly the slots the API puts in magazine 2 turn to exceptions.
        var (rc, _, err) = host.RunCli("--device", "virtual:", "virtual", "magazine", "remove", "2");
        Assert.True(rc == 0, err);
        Assert.Equal(HttpStatusCode.OK, (await op.PostAsync("api/v1/libraries/default/inventory", null)).StatusCode);
        status = ServiceHost.Parse(await op.GetStringAsync("api/v1/libraries/default/status"));
        var pulled = status.GetProperty("status").GetProperty("elements").EnumerateArray()
            .Where(e => e.GetProperty("type").GetString() == "storage" && e.GetProperty("except").GetBoolean())
            .Select(e => e.GetProperty("slot").GetInt32()).ToList();
        var two = status.GetProperty("magazines")[1];
        Assert.Equal(Enumerable.Range(two.GetProperty("firstSlot").GetInt32(), two.GetProperty("slots").GetInt32()), pulled);
    }

    [Fact]
    public async Task A_virtual_library_configured_with_another_magazine_size_is_grouped_by_it()
    {
        string dir = Directory.CreateTempSubdirectory("tc-mag-").FullName;
        try
        {
            string conf = File.ReadAllText(Path.Combine(RepoRoot(), "hw-profiles", "mhvtl", "library10", "device.conf"));
            Assert.Contains("# Magazine size: 13", conf);
            File.WriteAllText(Path.Combine(dir, "device.conf"), conf.Replace("# Magazine size: 13", " Magazine size: 10"));
            var lines = new List<string> { "VERSION: 2", "", "Drive 1:", "Drive 2:", "Drive 3:", "Drive 4:", "", "Picker 1:", "", "MAP 1:", "" };
            for (int s = 1; s <= 25; s++) lines.Add($"Slot {s}:");
            File.WriteAllLines(Path.Combine(dir, "library_contents.10"), lines);
            await using var host = ServiceHost.Start(("Device", "virtual:" + dir));
            using var viewer = host.Http(host.Token(AccessRole.Viewer, "mag-viewer"));
            var status = ServiceHost.Parse(await viewer.GetStringAsync("api/v1/libraries/default/status"));
            Assert.Equal("1:1-10/10 2:11-20/10 3:21-25/5", Rows(status));
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    [Fact]
    public async Task A_profile_s_magazines_and_no_layout_at_all_reach_the_status_answer()
    {
        await using var host = ServiceHost.Start();
        var engine = host.App.Services.GetRequiredService<ILibraryService>();
        var snap = await engine.GetStatusAsync("default");
        var superloader = HardwareProfiles.All.Single(p => p.Name == "quantum-superloader3");

        var byProfile = LibraryEndpoints.StatusOf(snap with { Magazines = superloader.Magazines!.ToLayout("profile quantum-superloader3") });
        Assert.Equal("profile quantum-superloader3", byProfile.MagazineSource);
        // 39 slots in 8-slot magazines: four full ones and a fifth of 7.
        Assert.Equal("1:1-8/8 2:9-16/8 3:17-24/8 4:25-32/8 5:33-39/7",
            string.Join(" ", byProfile.Magazines.Select(m => $"{m.Number}:{m.FirstSlot}-{m.LastSlot}/{m.Slots}")));

        var none = LibraryEndpoints.StatusOf(snap with { Magazines = MagazineLayout.None });
        Assert.Equal("none", none.MagazineSource);
        Assert.Equal("1:1-39/39", string.Join(" ", none.Magazines.Select(m => $"{m.Number}:{m.FirstSlot}-{m.LastSlot}/{m.Slots}")));

        var unread = LibraryEndpoints.StatusOf(snap with { Status = null });
        Assert.Empty(unread.Magazines);
    }

    [Fact]
    public async Task The_openapi_Status_schema_names_every_member_of_the_status_answer_and_its_magazines()
    {
        await using var host = ServiceHost.Start();
        using var viewer = host.Http(host.Token(AccessRole.Viewer, "mag-viewer"));
        var doc = ServiceHost.Parse(await host.Http().GetStringAsync("api/v1/openapi.json"));
        var schemas = doc.GetProperty("components").GetProperty("schemas");
        Assert.Equal("#/components/schemas/Status", doc.GetProperty("paths").GetProperty("/api/v1/libraries/{name}/status").GetProperty("get")
            .GetProperty("responses").GetProperty("200").GetProperty("content").GetProperty("application/json").GetProperty("schema").GetProperty("$ref").GetString());
        var status = ServiceHost.Parse(await viewer.GetStringAsync("api/v1/libraries/default/status"));
        AssertMatches(schemas.GetProperty("Status"), status);
        foreach (var m in status.GetProperty("magazines").EnumerateArray()) AssertMatches(schemas.GetProperty("Magazine"), m);
    }

    /// <summary>Every member the answer has is documented, and every required one is there.</summary>
    private static void AssertMatches(JsonElement schema, JsonElement value)
    {
        var documented = schema.GetProperty("properties").EnumerateObject().Select(p => p.Name).ToHashSet();
        var present = value.EnumerateObject().Select(p => p.Name).ToHashSet();
        Assert.Empty(present.Except(documented));
        Assert.Empty(schema.GetProperty("required").EnumerateArray().Select(r => r.GetString()!).Except(present));
    }

    private static string RepoRoot()
    {
        for (var d = new DirectoryInfo(AppContext.BaseDirectory); d is not null; d = d.Parent)
        {
            if (File.Exists(Path.Combine(d.FullName, "TapeChanger.sln"))) return d.FullName;
        }
        throw new InvalidOperationException("the repository root (TapeChanger.sln) is not above " + AppContext.BaseDirectory);
    }
}
