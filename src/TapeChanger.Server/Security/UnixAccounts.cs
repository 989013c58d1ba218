namespace TapeChanger.Server.Security;

/// <summary>Names and group memberships from /etc/passwd and /etc/group (the files, not NSS: enough for local accounts).</summary>
public sealed class UnixAccounts(string passwd = "/etc/passwd", string group = "/etc/group")
{
    public string? UserName(int uid) => ReadLines(passwd).Select(l => l.Split(':')).FirstOrDefault(f => f.Length > 3 && f[2] == uid.ToString(System.Globalization.CultureInfo.InvariantCulture))?[0];

    /// <summary>The groups the user is in: the primary group (from the socket) and every group listing the user name.</summary>
    public IReadOnlyList<string> Groups(int uid, int gid)
    {
        string? user = UserName(uid);
        string gidText = gid.ToString(System.Globalization.CultureInfo.InvariantCulture);
        var list = new List<string>();
        foreach (var f in ReadLines(group).Select(l => l.Split(':')).Where(f => f.Length >= 4))
        {
            if (f[2] == gidText || (user is not null && f[3].Split(',').Contains(user))) list.Add(f[0]);
        }
        return list;
    }

    private static IEnumerable<string> ReadLines(string path)
    {
        try
        {
            return File.ReadAllLines(path);
        }
        catch (IOException)
        {
            return [];
        }
        catch (UnauthorizedAccessException)
        {
            return [];
        }
    }
}
