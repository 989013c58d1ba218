namespace TapeChanger.Cleaning.Tests;

/// <summary>
/// The RSM object ids are derived, never stored by the caller's side: a program that kept a slot's GUID must find the
/// same GUID in every later version. These values were made by the first implementation.
/// </summary>
public class NtmsIdsTests
{
    private static readonly Guid Stk = NtmsIds.Library("STK", "L700", "XYZZY_A");

    [Fact]
    public void Library_slot_and_drive_ids_are_the_ones_every_version_gives()
    {
        Assert.Equal(Guid.Parse("c450c4e2-75c4-5da8-901c-99ec618bf6ca"), Stk);
        Assert.Equal(Guid.Parse("0c4482bf-4ffa-51bb-995e-fee53e257d7e"), NtmsIds.Library("STK", "L700", null));
        Assert.Equal(Guid.Parse("d5f5b88c-8dba-5583-b586-3a4e3d242249"), NtmsIds.Slot(Stk, 1000));
        Assert.Equal(Guid.Parse("1b9d5dcf-c38e-5c8a-8232-5359d0f84557"), NtmsIds.Slot(Stk, 65535));
        Assert.Equal(Guid.Parse("b262f5e4-ed86-54c8-b5a2-c0395f764a3c"), NtmsIds.Drive(Stk, "XYZZY_A1", 500));
        Assert.Equal(Guid.Parse("63f504f5-dec7-596c-b3ac-7e845c96ec5c"), NtmsIds.Drive(Stk, null, 501));
    }

    [Fact]
    public void Slots_of_two_libraries_in_turn_get_each_library_s_own_ids()
    {
        var ibm = NtmsIds.Library("IBM", "03584L32", "0000013108231004");
        for (int i = 0; i < 2; i++)
        {
            Assert.Equal(Guid.Parse("d3e85c7f-5b90-5814-a39d-012d0390a642"), NtmsIds.Slot(ibm, 1025));
            Assert.Equal(Guid.Parse("d5f5b88c-8dba-5583-b586-3a4e3d242249"), NtmsIds.Slot(Stk, 1000));
        }
        Assert.NotEqual(NtmsIds.Slot(ibm, 1000), NtmsIds.Slot(Stk, 1000));
    }
}
