using TapeChanger.Access;

namespace TapeChanger.Server.Security;

/// <summary>Who is calling: a token's name or a Unix user, the role, the uid when the socket told it.</summary>
public sealed record ApiCaller(string Name, AccessRole Role, int? Uid, string Via)
{
    public bool Allows(AccessRole needed) => Role >= needed;
}

/// <summary>Why a caller was turned away (401) or refused (403).</summary>
public sealed record AuthFailure(int Status, string Message);
