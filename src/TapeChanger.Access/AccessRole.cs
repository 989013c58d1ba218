namespace TapeChanger.Access;

/// <summary>
/// What a caller of the service may do; each role includes the ones below it.
/// Viewer: status, inventories read from the kept map, history. Operator: moves, operator requests, cleaning.
/// Admin: configuration, cleaner reservations, the database.
/// </summary>
public enum AccessRole
{
    Viewer = 0,
    Operator = 1,
    Admin = 2,
}

public static class AccessRoles
{
    public static string Name(AccessRole role) => role switch
    {
        AccessRole.Viewer => "viewer",
        AccessRole.Operator => "operator",
        AccessRole.Admin => "admin",
        _ => throw new ArgumentOutOfRangeException(nameof(role)),
    };

    public static bool TryParse(string? text, out AccessRole role)
    {
        switch (text?.Trim().ToLowerInvariant())
        {
            case "viewer": role = AccessRole.Viewer; return true;
            case "operator": role = AccessRole.Operator; return true;
            case "admin": role = AccessRole.Admin; return true;
            default: role = AccessRole.Viewer; return false;
        }
    }
}
