namespace TapeChanger.Cli.Tests;

/// <summary>Where state lives when neither --state-dir, TAPECHANGER_STATE_DIR nor StateDirectory say.</summary>
public class StateDirectoryDefaultTests
{
    [Fact]
    public void Windows_state_is_shared_under_program_data() =>
        Assert.Equal(Path.Combine(@"C:\ProgramData", "TapeChanger"),
            TapeChangerCli.DefaultStateDirectory(windows: true, programData: @"C:\ProgramData", xdgStateHome: "/ignored", home: @"C:\Users\op"));

    [Fact]
    public void Windows_without_program_data_falls_back_to_the_users_local_app_data() =>
        Assert.Equal(Path.Combine(@"C:\Users\op", "AppData", "Local", "TapeChanger"),
            TapeChangerCli.DefaultStateDirectory(windows: true, programData: null, xdgStateHome: null, home: @"C:\Users\op"));

    [Fact]
    public void Unix_state_follows_xdg_state_home_else_dot_local_state()
    {
        Assert.Equal(Path.Combine("/x/state", "tapechanger"), TapeChangerCli.DefaultStateDirectory(false, @"C:\ProgramData", "/x/state", "/home/op"));
        Assert.Equal(Path.Combine("/home/op", ".local", "state", "tapechanger"), TapeChangerCli.DefaultStateDirectory(false, null, "", "/home/op"));
    }
}
