namespace TapeChanger.Cli.Mtx;

/// <summary>mtx.c First, Last, Next, Previous: sequential autoloader use, with mtx's arithmetic kept as it is.</summary>
internal sealed partial class MtxSession
{
    private int SequentialDrive() => _arg1 >= 0 && _arg1 < View.Drives.Count ? _arg1 : 0;

    /// <summary>Storage slots without the import/export elements (mtx: StorageElementCount - ImportExportCount).</summary>
    private int PlainSlots => View.Slots.Count - View.ImportExportCount;

    public async ValueTask FirstAsync()
    {
        int drive = SequentialDrive();
        if (View.Drives[drive].Full)
        {
            _arg1 = View.Drives[drive].Source + 1;
            if (_arg1 == 1)
            {
                stdout.Write(MtxText.AlreadyLoaded);
                return;
            }
            _arg2 = drive;
            await UnloadAsync().ConfigureAwait(false);
        }
        (_arg1, _arg2) = (1, drive);
        await LoadAsync().ConfigureAwait(false);
    }

    public async ValueTask LastAsync()
    {
        int drive = SequentialDrive();
        if (View.Drives[drive].Full)
        {
            _arg1 = View.Drives[drive].Source + 1;
            if (_arg1 >= PlainSlots)
            {
                stdout.Write(MtxText.AlreadyLoaded);
                return;
            }
            _arg2 = drive;
            await UnloadAsync().ConfigureAwait(false);
        }
        (_arg1, _arg2) = (PlainSlots, drive);
        await LoadAsync().ConfigureAwait(false);
    }

    public async ValueTask PreviousAsync()
    {
        int drive = SequentialDrive();
        int current = PlainSlots + 1;
        if (View.Drives[drive].Full)
        {
            current = View.Drives[drive].Source;
            if (current == 0) throw Fatal("No More Media\n");
            (_arg1, _arg2) = (current + 1, drive);
            await UnloadAsync().ConfigureAwait(false);
        }
        for (current--; current >= 0; current--)
        {
            if (current < View.Slots.Count && View.Slots[current].Full)
            {
                (_arg1, _arg2) = (current + 1, drive);
                await LoadAsync().ConfigureAwait(false);
                return;
            }
        }
        throw Fatal("No More Media\n");
    }

    public async ValueTask NextAsync()
    {
        int drive = SequentialDrive();
        int current = -1;
        if (View.Drives[drive].Full)
        {
            current = View.Drives[drive].Source;
            (_arg1, _arg2) = (current + 1, drive);
            await UnloadAsync().ConfigureAwait(false);
        }
        for (current++; current < PlainSlots; current++)
        {
            if (View.Slots[current].Full)
            {
                (_arg1, _arg2) = (current + 1, drive);
                await LoadAsync().ConfigureAwait(false);
                return;
            }
        }
        throw Fatal("No More Media\n");
    }
}
