namespace TapeChanger.Cli.Tests;

/// <summary>The settings' limits (<see cref="TapeChangerOptions.Validate"/>): each bound, the blank device, the cleaner prefix.</summary>
public sealed class OptionsValidationTests
{
    [Fact]
    public void The_defaults_are_valid()
    {
        Assert.Empty(new TapeChangerOptions().Validate());
    }

    [Theory]
    [InlineData(nameof(TapeChangerOptions.UnitAttentionRetries), 0, 20)]
    [InlineData(nameof(TapeChangerOptions.CleanerPollMilliseconds), 10, 60000)]
    [InlineData(nameof(TapeChangerOptions.CleaningSeconds), 1, 7200)]
    [InlineData(nameof(TapeChangerOptions.BecomingReadySeconds), 0, 3600)]
    [InlineData(nameof(TapeChangerOptions.OperatorWaitSeconds), 0, 86400)]
    public void Each_number_is_checked_against_both_bounds_inclusive(string setting, int min, int max)
    {
        Assert.Empty(With(setting, min).Validate());
        Assert.Empty(With(setting, max).Validate());
        Assert.Equal([$"{setting} is {min - 1}; it must be {min} to {max}"], With(setting, min - 1).Validate());
        Assert.Equal([$"{setting} is {max + 1}; it must be {min} to {max}"], With(setting, max + 1).Validate());
    }

    [Theory]
    [InlineData("", true)]
    [InlineData("CLN", true)]
    [InlineData("Ab345678", true)]
    [InlineData("Ab3456789", false)]     // 9 characters
    [InlineData("CL N", false)]
    [InlineData("CL-", false)]
    [InlineData("CLÉ", false)]           // a letter, not an ASCII one
    [InlineData("CL\u0001", false)]
    public void A_cleaner_prefix_is_up_to_8_ascii_letters_or_digits(string prefix, bool valid)
    {
        var failures = new TapeChangerOptions { CleanerPrefix = prefix }.Validate();
        if (valid) Assert.Empty(failures);
        else Assert.Equal(["CleanerPrefix must be 0 to 8 letters or digits"], failures);
    }

    [Theory]
    [InlineData("")]
    [InlineData("   ")]
    public void A_blank_device_is_refused(string device)
    {
        Assert.Equal(["Device is empty; give a device URI"], new TapeChangerOptions { Device = device }.Validate());
    }

    [Fact]
    public void Every_failure_is_reported_not_only_the_first()
    {
        var failures = new TapeChangerOptions { Device = "", CleanerPrefix = "a b", UnitAttentionRetries = -1, CleaningSeconds = 0 }.Validate();
        Assert.Equal(4, failures.Count);
    }

    private static TapeChangerOptions With(string setting, int value)
    {
        var o = new TapeChangerOptions();
        switch (setting)
        {
            case nameof(TapeChangerOptions.UnitAttentionRetries): o.UnitAttentionRetries = value; break;
            case nameof(TapeChangerOptions.CleanerPollMilliseconds): o.CleanerPollMilliseconds = value; break;
            case nameof(TapeChangerOptions.CleaningSeconds): o.CleaningSeconds = value; break;
            case nameof(TapeChangerOptions.BecomingReadySeconds): o.BecomingReadySeconds = value; break;
            case nameof(TapeChangerOptions.OperatorWaitSeconds): o.OperatorWaitSeconds = value; break;
            default: throw new ArgumentException(setting);
        }
        return o;
    }
}
