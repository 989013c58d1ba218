"""Parser for `mtx status` output (mtx 1.3.12, mtx/mtx.c Status()): the kernel tier's reference oracle.

mtx prints one header line, then one line per drive and per storage / import-export element:
    "  Storage Changer /dev/sg3:2 Drives, 8 Slots ( 2 Import/Export )"
    "Data Transfer Element 0:Full (Storage Element 4 Loaded):VolumeTag = TC0001L6"
    "      Storage Element 5:Full :VolumeTag=CLN001L1"
    "      Storage Element 9 IMPORT/EXPORT:Empty"
Drives and slots are numbered the mtx way (drives from 0, slots from 1 with the IE elements after the storage
slots). Tags keep what mtx printed up to the first blank; an empty tag ("VolumeTag=" plus blanks) is no tag.
"""
import re

HEADER = re.compile(r"^\s*Storage Changer (\S+):(\d+) Drives, (\d+) Slots \( (\d+) Import/Export \)")
DRIVE = re.compile(r"^\s*Data Transfer Element (\d+):(Full|Empty)(?: \(Storage Element (\d+) Loaded\))?(?::VolumeTag\s*=\s*(\S*))?")
SLOT = re.compile(r"^\s*Storage Element (\d+)( IMPORT/EXPORT)?:(Full|Empty)\s*(?::VolumeTag\s*=\s*(\S*))?")


def parse(text):
    """mtx status text -> {('drive', n) or ('slot', n): (full, barcode or None, source slot or None)}.

    Slots that are import/export elements are keyed ('slot', n) like the others (mtx numbers them as slots); use
    parse_status() for the header counts and the IE flag.
    """
    return {k: (v["full"], v["barcode"], v["source"]) for k, v in parse_status(text)["elements"].items()}


def parse_status(text):
    """The first status block: header counts and every element with its mtx fields."""
    header = None
    elements = {}
    for line in text.splitlines():
        m = HEADER.match(line)
        if m:
            if header is not None:
                break            # a second block (another capture): stop at the first
            header = dict(device=m.group(1), drives=int(m.group(2)), slots=int(m.group(3)), import_export=int(m.group(4)))
            continue
        m = DRIVE.match(line)
        if m:
            elements[("drive", int(m.group(1)))] = dict(
                full=m.group(2) == "Full", barcode=m.group(4) or None,
                source=int(m.group(3)) if m.group(3) else None, import_export=False)
            continue
        m = SLOT.match(line)
        if m:
            elements[("slot", int(m.group(1)))] = dict(
                full=m.group(3) == "Full", barcode=m.group(4) or None, source=None, import_export=bool(m.group(2)))
    return dict(header=header, elements=elements)


def differences(mtx, ours):
    """Keys whose (full, barcode, source) differ between two parse() results, as readable strings."""
    return [f"{k}: mtx {mtx.get(k)} vs ours {ours.get(k)}" for k in sorted(set(mtx) | set(ours)) if mtx.get(k) != ours.get(k)]
