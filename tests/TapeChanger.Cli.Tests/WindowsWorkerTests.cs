namespace TapeChanger.Cli.Tests;

/// <summary>The command line the detached Windows worker is started with (CommandLineToArgvW rules).</summary>
public class WindowsWorkerTests
{
    [Fact]
    public void Plain_arguments_stay_bare_and_device_backslashes_are_literal() =>
        Assert.Equal(@"C:\tc\tapechanger.exe --device spt:\\.\Changer0 --state-dir C:\ProgramData\TapeChanger operations run 1",
            WindowsWorker.CommandLine([@"C:\tc\tapechanger.exe", "--device", @"spt:\\.\Changer0", "--state-dir", @"C:\ProgramData\TapeChanger", "operations", "run", "1"]));

    [Fact]
    public void Spaces_quotes_trailing_backslashes_and_empty_arguments_are_quoted()
    {
        Assert.Equal(@"""C:\Program Files\tc\tapechanger.exe""", WindowsWorker.CommandLine([@"C:\Program Files\tc\tapechanger.exe"]));
        Assert.Equal(@"""C:\My State\\""", WindowsWorker.CommandLine([@"C:\My State\"]));
        Assert.Equal(@"""a \""b\"" c""", WindowsWorker.CommandLine(["a \"b\" c"]));
        Assert.Equal(@"""x\\\"" y""", WindowsWorker.CommandLine(["x\\\" y"]));
        Assert.Equal(@"a """" b", WindowsWorker.CommandLine(["a", "", "b"]));
    }
}
