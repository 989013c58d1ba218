using TapeChanger.Scsi;
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

    /// <summary>Answers a drive command (GOOD with no data by default).</summary>
    public Func<DriveCandidate, ScsiCommand, ScsiResult> Answer { get; init; } = (_, _) => ScsiResult.Good(0);

    public bool Serves(DriveSearch search) => true;

    public ValueTask<DriveCandidates> ListAsync(DriveSearch search, CancellationToken cancellationToken = default)
    {
        Listings++;
        return ValueTask.FromResult(new DriveCandidates(drives));
    }

    public ValueTask<IScsiTransport> OpenAsync(DriveSearch search, DriveCandidate drive, CancellationToken cancellationToken = default) =>
        ValueTask.FromResult<IScsiTransport>(new Drive(this, drive));

    public DriveAccess Access(IScsiTransport changer) =>
        new(new DriveLocatorRegistry().Add(this), new DriveSearch(DeviceUri.Parse("virtual:"), changer));

    private sealed class Drive(RecordingDriveLocator owner, DriveCandidate candidate) : IScsiTransport
    {
        public string Device => candidate.Uri;

        public ValueTask<ScsiResult> ExecuteAsync(ScsiCommand command, Memory<byte> dataIn, CancellationToken cancellationToken = default)
        {
            owner.Sent.Add((candidate.Uri, command));
            return ValueTask.FromResult(owner.Answer(candidate, command));
        }

        public ValueTask DisposeAsync() => ValueTask.CompletedTask;
    }
}
