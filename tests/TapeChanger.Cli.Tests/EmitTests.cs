using TapeChanger.Cli.Output;

namespace TapeChanger.Cli.Tests;

/// <summary>A command's serializer metadata is made only for --json (configuring it costs more than a text command's work).</summary>
public class EmitTests
{
    private static CliContext Context(bool json, TextWriter output) => new()
    {
        Options = new TapeChangerOptions(),
        DeviceUri = "virtual:",
        StateDirectory = Path.GetTempPath(),
        Json = json,
        Verbose = false,
        Trace = false,
        Out = output,
        Err = TextWriter.Null,
        ProfilesDirectory = Path.GetTempPath(),
    };

    [Fact]
    public void Text_output_never_asks_for_the_json_metadata()
    {
        var output = new StringWriter();
        Context(json: false, output).Emit(new MessageDocument("done"), () => throw new InvalidOperationException("metadata asked for"), "done");
        Assert.Equal("done" + Environment.NewLine, output.ToString());
    }

    [Fact]
    public void Json_output_asks_for_it_once_and_writes_the_document()
    {
        var output = new StringWriter();
        int asked = 0;
        Context(json: true, output).Emit(new MessageDocument("done"), () => { asked++; return CliJsonContext.Default.MessageDocument; }, "ignored");
        Assert.Equal(1, asked);
        Assert.Contains("\"done\"", output.ToString());
        Assert.DoesNotContain("ignored", output.ToString());
    }
}
