using System.CommandLine;
using System.Diagnostics;
using System.Runtime.InteropServices;
using TapeChanger.Access;
using static TapeChanger.Cli.TapeChangerCli;

namespace TapeChanger.Cli.Commands;

/// <summary>`serve` (starts tapechangerd) and `token create|list|revoke` (the service's API tokens, in the state database).</summary>
internal static partial class ServiceCommands
{
    public static Command Serve()
    {
        var listen = new Option<string[]>("--listen")
        {
            Description = "Where to listen: unix:PATH (default: tapechangerd.sock in the state directory), http://HOST:PORT or https://HOST:PORT. Repeatable.",
            AllowMultipleArgumentsPerToken = false,
            HelpName = "ADDRESS",
        };
        var cmd = new Command("serve", "Run the library service (tapechangerd, installed beside this program) in the foreground.") { listen };
        cmd.SetAction(async (parse, ct) =>
        {
            var stderr = parse.InvocationConfiguration.Error;
            var (exe, pre) = FindServer();
            if (exe is null)
            {
                stderr.WriteLine("tapechanger: tapechangerd not found beside this program or on PATH (publish src/TapeChanger.Server beside the CLI)");
                return ExitCodes.DeviceUnavailable;
            }
            var psi = new ProcessStartInfo(exe) { UseShellExecute = false };
            foreach (var a in pre) psi.ArgumentList.Add(a);
            foreach (var l in parse.GetValue(listen) ?? []) { psi.ArgumentList.Add("--listen"); psi.ArgumentList.Add(l); }
            if (parse.GetValue(StateDirOption) is { } sd) { psi.ArgumentList.Add("--state-dir"); psi.ArgumentList.Add(sd); }
            using var child = Process.Start(psi)!;
            // SIGTERM/SIGINT to this process are handed on to the service, which stops cleanly; its exit code is ours.
            using var term = PosixSignalRegistration.Create(PosixSignal.SIGTERM, c => { c.Cancel = true; Signal(child, 15); });
            using var intr = PosixSignalRegistration.Create(PosixSignal.SIGINT, c => { c.Cancel = true; Signal(child, 2); });
            await child.WaitForExitAsync(CancellationToken.None).ConfigureAwait(false);
            return child.ExitCode;
        });
        return cmd;
    }

    private static void Signal(Process p, int signal)
    {
        if (!OperatingSystem.IsWindows() && !p.HasExited) _ = Kill(p.Id, signal);
    }

    [LibraryImport("libc", EntryPoint = "kill")]
    private static partial int Kill(int pid, int signal);

    /// <summary>tapechangerd beside this executable (NativeAOT or apphost), tapechangerd.dll beside this assembly (dotnet), or on PATH.</summary>
    internal static (string? Exe, string[] Args) FindServer()
    {
        string name = OperatingSystem.IsWindows() ? "tapechangerd.exe" : "tapechangerd";
        foreach (var dir in new[] { Path.GetDirectoryName(Environment.ProcessPath), AppContext.BaseDirectory })
        {
            if (dir is null) continue;
            string exe = Path.Combine(dir, name);
            if (File.Exists(exe)) return (exe, []);
        }
        string dll = Path.Combine(AppContext.BaseDirectory, "tapechangerd.dll");
        if (File.Exists(dll)) return ("dotnet", [dll]);
        foreach (var dir in (Environment.GetEnvironmentVariable("PATH") ?? "").Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries))
        {
            string exe = Path.Combine(dir, name);
            if (File.Exists(exe)) return (exe, []);
        }
        return (null, []);
    }

    public static Command Token()
    {
        var cmd = new Command("token", "API tokens of the library service (stored hashed in the state database; a token is shown once).");
        var role = new Option<string>("--role") { Description = "viewer (status, history), operator (moves, operator requests, cleaning) or admin (configuration, reservations, database).", Required = true };
        role.AcceptOnlyFromAmong("viewer", "operator", "admin");
        var name = new Option<string?>("--name") { Description = "A name for the token (default: token-TIMESTAMP-XXXX); the audit log shows it." };
        var create = new Command("create", "Create a token and print it once.") { role, name };
        create.SetAction(Handler((ctx, parse, _) =>
        {
            AccessRoles.TryParse(parse.GetValue(role), out var r);
            CreatedToken created;
            try
            {
                created = Store(ctx).CreateToken(r, parse.GetValue(name));
            }
            catch (AccessException e)
            {
                throw new UsageException(e.Message);
            }
            ctx.Out.WriteLine(created.Token);
            ctx.Err.WriteLine($"tapechanger: token '{created.Info.Name}' ({AccessRoles.Name(r)}) created; it is not shown again");
            return Task.CompletedTask;
        }));
        var list = new Command("list", "List the tokens (name, role, created, revoked; never the token).");
        list.SetAction(Handler((ctx, _, _) =>
        {
            foreach (var t in Store(ctx).ListTokens())
                ctx.Out.WriteLine($"{t.Id,4}  {t.Name,-32} {AccessRoles.Name(t.Role),-8} created {t.Created:u}{(t.Revoked is { } rv ? $"  REVOKED {rv:u}" : "")}");
            return Task.CompletedTask;
        }));
        var which = new Argument<string>("NAME") { Description = "The token's name or id." };
        var revoke = new Command("revoke", "Revoke a token: it no longer authenticates.") { which };
        revoke.SetAction(Handler((ctx, parse, _) =>
        {
            string n = parse.GetValue(which)!;
            if (!Store(ctx).RevokeToken(n)) throw new UsageException($"no active token '{n}'") { ExitCode = ExitCodes.InvalidElement };
            ctx.Out.WriteLine($"token '{n}' revoked");
            return Task.CompletedTask;
        }));
        cmd.Subcommands.Add(create);
        cmd.Subcommands.Add(list);
        cmd.Subcommands.Add(revoke);
        return cmd;
    }

    private static AccessStore Store(CliContext ctx) => AccessStore.Open(ctx.StateDirectory);
}
