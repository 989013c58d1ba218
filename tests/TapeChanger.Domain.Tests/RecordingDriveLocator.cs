using TapeChanger.Scsi;
using TapeChanger.Testing;
using TapeChanger.Transport;

namespace TapeChanger.Domain.Tests;

/// <summary>
/// A drive locator that lists fixed candidates and answers drive commands itself, recording each CDB with the drive's
/// URI, so tests see which drive got which command.
/// </summary>
internal sealed class RecordingDriveLocator(params DriveCandidate[] drives) : IDriveLocator
{
    public List<(string Uri, ScsiCommand Command)> Sent { get; } = [];
    public int Listings { get; private set; }
    public int Opened { get; private set; }

    /// <summary>Answers a drive command (GOOD with no data by default).</summary>
    public Func<DriveCandidate, ScsiCommand, ScsiResult> Answer { get; init; } = (_, _) => ScsiResult.Good(0);

    public bool Serves(DriveSearch search) => true;

    /// <summary>What <see cref="IDriveLocator.OpensDrivesWithoutChanger"/> answers (false: the interface's default).</summary>
    public bool OpensAlone { get; init; }

    public bool OpensDrivesWithoutChanger(DriveSearch search) => OpensAlone;

    public ValueTask<DriveCandidates> ListAsync(DriveSearch search, CancellationToken cancellationToken = default)
    {
        Listings++;
        return ValueTask.FromResult(new DriveCandidates(drives));
    }

    public ValueTask<IScsiTransport> OpenAsync(DriveSearch search, DriveCandidate drive, CancellationToken cancellationToken = default)
    {
        Opened++;
        return ValueTask.FromResult<IScsiTransport>(new ScriptedTransport
        {
            Device = drive.Uri,
            Answer = (command, _) =>
            {
                Sent.Add((drive.Uri, command));
                return Answer(drive, command);
            },
        });
    }

    public DriveAccess Access(IScsiTransport changer) =>
        new(new DriveLocatorRegistry().Add(this), new DriveSearch(DeviceUri.Parse("virtual:"), changer));
}
