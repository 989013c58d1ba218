using System.Runtime.CompilerServices;
using System.Text;

namespace TapeChanger.Scsi.Decoding;

/// <summary>Element descriptor byte 2 flags (SMC-3 §6.11.3).</summary>
[Flags]
public enum ElementFlags : byte
{
    None = 0,
    /// <summary>FULL: the element holds a unit of media.</summary>
    Full = 0x01,
    /// <summary>IMPEXP (IE only): 1 = placed by an operator, 0 = placed by the robot.</summary>
    ImpExp = 0x02,
    /// <summary>EXCEPT: the element is in an abnormal state; ASC/ASCQ say why.</summary>
    Except = 0x04,
    /// <summary>ACCESS: the medium transport can reach the element.</summary>
    Access = 0x08,
    /// <summary>EXENAB (IE only): the element can export media.</summary>
    ExEnab = 0x10,
    /// <summary>INENAB (IE only): the element can import media.</summary>
    InEnab = 0x20,
    /// <summary>CMC (IE only, SMC-3): the element is a conveyor.</summary>
    Cmc = 0x40,
    /// <summary>OIR (SMC-3): operator intervention required to make the element accessible.</summary>
    Oir = 0x80,
}

/// <summary>A primary or alternate volume tag (SMC-3 §6.11.3 / Table "volume tag information").</summary>
public sealed record VolumeTag(string Identifier, ushort SequenceNumber)
{
    /// <summary>Null until first read for a tag the decoder made from the identifier's bytes (<see cref="_bytes"/>).</summary>
    private string? _identifier = Identifier;
    private readonly string? _field;
    /// <summary>Set by the decoder when the field as sent is the identifier space-padded to 32 bytes, two zero bytes and the sequence number.</summary>
    private readonly bool _composed;
    /// <summary>How many of <see cref="_bytes"/> are the identifier (printable ASCII, trimmed).</summary>
    private readonly byte _length;
    private IdentifierBytes _bytes;

    /// <summary>
    /// The volume identifier, trimmed. A tag from <see cref="ElementStatusDecoder"/> in the usual form keeps the
    /// identifier's bytes (at most 32, inside this record) and makes the string on the first read: decoding a large
    /// library then makes one object per cartridge instead of two, all of which stay alive to the end of the decode.
    /// </summary>
    public string Identifier
    {
        get => _identifier ??= _length == 0 ? string.Empty : Encoding.ASCII.GetString(((ReadOnlySpan<byte>)_bytes)[.._length]);
        init => _identifier = value;
    }

    private VolumeTag(string identifier, ushort sequenceNumber, bool composed) : this(identifier, sequenceNumber) => _composed = composed;

    private VolumeTag(ReadOnlySpan<byte> identifier, ushort sequenceNumber) : this((string)null!, sequenceNumber)
    {
        identifier.CopyTo(_bytes);
        _length = (byte)identifier.Length;
        _composed = true;
    }

    /// <summary>
    /// A tag whose 36-byte field is the usual one: <paramref name="identifier"/> (printable ASCII) left-aligned and
    /// padded with spaces to 32 bytes, two reserved zero bytes, the sequence number. <see cref="Field"/> is then
    /// made only when asked for, so decoding a large library does not keep a second string per tag.
    /// </summary>
    internal static VolumeTag Composed(string identifier, ushort sequenceNumber) => new(identifier, sequenceNumber, composed: true);

    /// <summary>
    /// As <see cref="Composed(string, ushort)"/>, from the identifier's bytes as sent (printable ASCII, trimmed, at
    /// most 32 bytes): the string is made when <see cref="Identifier"/> is first read.
    /// </summary>
    internal static VolumeTag Composed(ReadOnlySpan<byte> printableIdentifier, ushort sequenceNumber) => new(printableIdentifier, sequenceNumber);

    /// <summary>
    /// The whole 36-byte field (identifier, reserved, sequence number) one char per byte (ISO 8859-1), untrimmed:
    /// for tools that must print the tag exactly as other programs do (mtx keeps the padding).
    /// </summary>
    public string Field
    {
        get => _field ?? (_composed ? Compose() : "");
        init => _field = value;
    }

    private string Compose() => string.Create(36, this, static (chars, t) =>
    {
        t.Identifier.AsSpan().CopyTo(chars);
        chars[t.Identifier.Length..32].Fill(' ');
        chars[32] = '\0';
        chars[33] = '\0';
        chars[34] = (char)(t.SequenceNumber >> 8);
        chars[35] = (char)(t.SequenceNumber & 0xFF);
    });

    /// <summary>Equal when identifier, sequence number and field are (however the field is held).</summary>
    public bool Equals(VolumeTag? other) =>
        other is not null && Identifier == other.Identifier && SequenceNumber == other.SequenceNumber
        && ((_composed == other._composed && _field == other._field) || Field == other.Field);

    public override int GetHashCode() => HashCode.Combine(Identifier, SequenceNumber);

    /// <summary>Room for a VOLUME IDENTIFIER (32 bytes, SMC-3 §6.11.3) inside the record.</summary>
    [InlineArray(32)]
    private struct IdentifierBytes
    {
        private byte _first;
    }
}

/// <summary>The DVCID device identification descriptor of a data transfer element (SMC-3 §6.11.3, SPC-4 designator header).</summary>
public sealed record DeviceIdentifier(byte ProtocolIdentifier, byte CodeSet, bool Piv, byte Association, byte IdentifierType, byte[] Value, bool Truncated)
{
    /// <summary>Code set 2 (ASCII) or 3 (UTF-8): the identifier is text.</summary>
    public bool IsText => CodeSet is 2 or 3;

    /// <summary>For a T10 vendor ID designator (type 1): vendor[8] + product[16] + serial.</summary>
    public string? Vendor => IdentifierType == 1 && IsText && Value.Length >= 8 ? AsciiText.Trim(Value.AsSpan(0, 8)) : null;

    public string? Product => IdentifierType == 1 && IsText && Value.Length >= 24 ? AsciiText.Trim(Value.AsSpan(8, 16)) : null;

    /// <summary>The drive serial number: the tail of a T10 vendor ID, or the whole text of a serial-only (type 0) identifier.</summary>
    public string? SerialNumber => !IsText ? null
        : IdentifierType == 1 ? (Value.Length > 24 ? AsciiText.Trim(Value.AsSpan(24)) : null)
        : AsciiText.Trim(Value);

    /// <summary>Human-readable text: "IBM ULT3580-TD8 XYZZY_A1", the serial alone, or hex for binary identifiers.</summary>
    public string Text => !IsText ? Convert.ToHexString(Value).ToLowerInvariant()
        : IdentifierType == 1 && Value.Length >= 24
            ? string.Join(' ', new[] { Vendor, Product, SerialNumber }.Where(s => !string.IsNullOrEmpty(s)))
            : AsciiText.Trim(Value);
}

/// <summary>One element descriptor, decoded. Bytes past the page's declared descriptor fields are ignored.</summary>
public sealed record ElementDescriptor(
    ElementType Type,
    ushort Address,
    ElementFlags Flags,
    byte Asc,
    byte Ascq,
    /// <summary>Source storage element address, when SVALID is set.</summary>
    ushort? SourceAddress,
    MediumType MediumType,
    bool Invert,
    /// <summary>ED (SMC-3): element disabled.</summary>
    bool Disabled,
    VolumeTag? PrimaryVolumeTag,
    VolumeTag? AlternateVolumeTag,
    DeviceIdentifier? Identifier,
    /// <summary>DT only, SCSI-2 style: bus ID when IDVALID.</summary>
    byte? ScsiId,
    /// <summary>DT only, SCSI-2 style: LUN when LUVALID.</summary>
    byte? Lun,
    /// <summary>True when the reply ended inside this descriptor and missing bytes were taken as zero.</summary>
    bool Partial)
{
    /// <summary>SOURCE STORAGE ELEMENT ADDRESS as sent, whether or not SVALID is set (mtx reads it regardless).</summary>
    public ushort SourceField { get; init; }

    public bool Full => (Flags & ElementFlags.Full) != 0;
    public bool ImpExp => (Flags & ElementFlags.ImpExp) != 0;
    public bool Except => (Flags & ElementFlags.Except) != 0;
    public bool Access => (Flags & ElementFlags.Access) != 0;
    public bool ExEnab => (Flags & ElementFlags.ExEnab) != 0;
    public bool InEnab => (Flags & ElementFlags.InEnab) != 0;

    /// <summary>Primary barcode, trimmed; null when absent or blank.</summary>
    public string? Barcode => string.IsNullOrEmpty(PrimaryVolumeTag?.Identifier) ? null : PrimaryVolumeTag!.Identifier;
    public string? AlternateBarcode => string.IsNullOrEmpty(AlternateVolumeTag?.Identifier) ? null : AlternateVolumeTag!.Identifier;
}

/// <summary>One element status page header (SMC-3 §6.11.2) and what was decoded from it.</summary>
public sealed record ElementStatusPage(
    ElementType Type,
    bool PrimaryVolumeTag,
    bool AlternateVolumeTag,
    int DescriptorLength,
    int DeclaredByteCount,
    int DescriptorsDecoded,
    bool Truncated);

/// <summary>A decoded READ ELEMENT STATUS reply.</summary>
public sealed record ElementStatusReport(
    ushort FirstElementAddress,
    int ElementsAvailable,
    int DeclaredByteCount,
    int BytesReceived,
    IReadOnlyList<ElementStatusPage> Pages,
    IReadOnlyList<ElementDescriptor> Elements,
    /// <summary>Bytes the device declared but did not send (0 when complete). tgt sends 8 bytes short.</summary>
    int MissingBytes)
{
    public bool Truncated => MissingBytes > 0 || Pages.Any(p => p.Truncated);

    /// <summary>
    /// True when the device has more data than was received: the allocation length was too small
    /// and the caller should re-issue with a larger buffer or a later start address.
    /// </summary>
    public bool MoreAvailable => ElementsAvailable > Elements.Count;
}
