using TapeChanger.Cli;
using TapeChanger.Server;

// A CLI command run inside the service can start a cleaner worker; the worker is this executable again, started the
// way the CLI starts its own (`--device URI --state-dir DIR operations run ID`): run it as the CLI.
if (args is ["--device", _, "--state-dir", _, "operations", "run", _])
{
    return await TapeChangerCli.RunLocalAsync(args, Console.Out, Console.Error).ConfigureAwait(false);
}
if (args is ["--help" or "-h"])
{
    Console.WriteLine(ServerCommandLine.Usage);
    return 0;
}
ServerCommandLine cmd;
try
{
    cmd = ServerCommandLine.Parse(args);
}
catch (ArgumentException e)
{
    Console.Error.WriteLine($"tapechangerd: {e.Message} ({ServerCommandLine.Usage})");
    return ExitCodes.Usage;
}
WebApplication app;
try
{
    app = ServerHost.Build(cmd, EngineFactory.Create);
}
catch (Exception e) when (e is ListenerBusyException or TapeChanger.State.StateInUseException)
{
    Console.Error.WriteLine($"tapechangerd: {e.Message}");
    return ExitCodes.Busy;
}
catch (TapeChanger.State.StateDatabaseException e)
{
    Console.Error.WriteLine($"tapechangerd: {TapeChangerCli.OneLine(e.Message)}");
    return ExitCodes.ConfigError;
}
catch (Exception e) when (e is ArgumentException or InvalidOperationException or IOException or UnauthorizedAccessException)
{
    Console.Error.WriteLine($"tapechangerd: {TapeChangerCli.OneLine(e.Message)}");
    return e is UnauthorizedAccessException ? ExitCodes.PermissionDenied : ExitCodes.ConfigError;
}
try
{
    await app.RunAsync().ConfigureAwait(false);
}
catch (TapeChanger.State.StateDatabaseException e)
{
    Console.Error.WriteLine($"tapechangerd: {TapeChangerCli.OneLine(e.Message)}");
    return ExitCodes.ConfigError;
}
catch (ListenerBusyException e)
{
    Console.Error.WriteLine($"tapechangerd: {e.Message}");
    return ExitCodes.Busy;
}
catch (Exception e) when (e is InvalidOperationException or System.Security.Cryptography.CryptographicException)
{
    // Kestrel refusing its configuration at start (an https certificate it cannot find in the store, ...).
    Console.Error.WriteLine($"tapechangerd: cannot start: {TapeChangerCli.OneLine(e.Message)}");
    return ExitCodes.ConfigError;
}
catch (IOException e)
{
    // "Address already in use" and the like, from Kestrel's bind.
    Console.Error.WriteLine($"tapechangerd: cannot listen: {TapeChangerCli.OneLine(e.Message)}");
    return ExitCodes.Busy;
}
return 0;
