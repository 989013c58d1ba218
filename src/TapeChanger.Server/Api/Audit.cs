using TapeChanger.Access;
using TapeChanger.Service;

namespace TapeChanger.Server.Api;

/// <summary>
/// Runs a mutation and writes its audit row (who, uid, role, what, target, result), whatever the outcome: a refused
/// role (403), a bad body (400), a failure on the library, or success.
/// </summary>
public sealed class Auditor(AccessStore store, ILogger<Auditor> log)
{
    public async Task<IResult> RunAsync(HttpContext http, AccessRole needed, string action, string? target, Func<Security.ApiCaller, Task<(IResult Result, string Outcome)>> body)
    {
        var caller = Http.Caller(http);
        string outcome = "error";
        try
        {
            if (!caller.Allows(needed))
            {
                outcome = $"refused: needs {AccessRoles.Name(needed)}";
                throw new ApiException(403, $"{caller.Name} is {AccessRoles.Name(caller.Role)}; this needs {AccessRoles.Name(needed)}");
            }
            var (result, o) = await body(caller).ConfigureAwait(false);
            outcome = o;
            return result;
        }
        catch (ApiException e)
        {
            if (outcome == "error") outcome = $"refused: {e.Message}";
            throw;
        }
        catch (CommandRefusedException e)
        {
            outcome = $"refused: {e.Message}";
            throw;
        }
        catch (LibraryServiceException e)
        {
            outcome = $"refused: {e.Error}: {e.Message}";
            throw;
        }
        finally
        {
            Write(caller, action, target, outcome);
        }
    }

    public void Write(Security.ApiCaller caller, string action, string? target, string outcome)
    {
        try
        {
            store.Audit(caller.Name, caller.Uid, caller.Role, action, target, outcome);
        }
        catch (Exception e) when (e is TapeChanger.State.StateDatabaseException or IOException)
        {
            log.LogError("audit log write failed for {Action} {Target} by {Caller}: {Error}", action, target, caller.Name, e.Message);
        }
    }
}
