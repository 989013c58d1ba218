using System.Net;
using TapeChanger.Access;

namespace TapeChanger.Server.Tests;

/// <summary>An element's exception carries its ASC/ASCQ meaning in words in the status the console reads.</summary>
public class ElementExceptionTextTests
{
    [Fact]
    public async Task A_pulled_magazine_s_slots_carry_their_exception_in_words_and_other_elements_none()
    {
        await using var host = ServiceHost.Start();
        using var op = host.Http(host.Token(AccessRole.Operator, "exc-operator"));
        var (rc, _, err) = host.RunCli("--device", "virtual:", "virtual", "magazine", "remove", "1");
        Assert.True(rc == 0, err);
        var inv = await op.PostAsync("api/v1/libraries/default/inventory", null);
        Assert.True(inv.StatusCode == HttpStatusCode.OK, await inv.Content.ReadAsStringAsync());

        var elements = ServiceHost.Parse(await op.GetStringAsync("api/v1/libraries/default/status"))
            .GetProperty("status").GetProperty("elements").EnumerateArray().ToList();
        var except = elements.Where(e => e.GetProperty("except").GetBoolean()).ToList();
        Assert.NotEmpty(except);
        foreach (var e in except)
        {
            Assert.Equal(0x3B, e.GetProperty("asc").GetInt32());
            Assert.Equal(0x12, e.GetProperty("ascq").GetInt32());
            Assert.Equal("medium magazine removed", e.GetProperty("exceptText").GetString());   // SPC-4 Annex D, 3Bh/12h
        }
        Assert.All(elements.Where(e => !e.GetProperty("except").GetBoolean()), e => Assert.False(e.TryGetProperty("exceptText", out _)));
    }
}
