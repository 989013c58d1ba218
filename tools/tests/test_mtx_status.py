"""Unit tests of tools/lib/mtx_status.py on captured mtx output (tests/Fixtures/mtx). Run: python3 -m unittest discover tools/tests"""
import os
import sys
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "lib"))
import mtx_status  # noqa: E402

FIXTURES = os.path.join(HERE, "..", "..", "tests", "Fixtures", "mtx")


def read(name):
    with open(os.path.join(FIXTURES, name), encoding="utf-8", errors="surrogateescape") as f:
        return f.read()


def counts(status):
    els = status["elements"]
    drives = sum(1 for k in els if k[0] == "drive")
    ie = sum(1 for k, v in els.items() if v["import_export"])
    slots = sum(1 for k in els if k[0] == "slot") - ie
    return drives, slots, ie


class HeaderAgreesWithLines(unittest.TestCase):
    # (file, drives, storage slots, import/export) as each capture's header states them.
    CASES = [
        ("hpe-msl3040-status.txt", 2, 40, 0),
        ("tandberg-storageloader-status.txt", 1, 7, 0),
        ("quantum-superloader3-status.txt", 1, 8, 0),
        ("spectra-215-status.txt", 2, 30, 0),
        ("pve-24slot-status.txt", 2, 23, 1),
        ("proxmox-24slot-4ie-status.txt", 2, 20, 4),
        ("vitam-quantum-84slot-status.txt", 4, 80, 4),
        ("quadstor-adic-scalar24-status.txt", 3, 20, 4),
        ("mhvtl-stk-l700-rackspace-status.txt", 5, 25, 5),
    ]

    def test_every_capture_parses_to_its_header_counts(self):
        for name, drives, slots, ie in self.CASES:
            with self.subTest(name):
                st = mtx_status.parse_status(read(name))
                h = st["header"]
                self.assertIsNotNone(h, "no header line")
                # mtx's "N Slots" counts storage plus import/export elements.
                self.assertEqual((h["drives"], h["slots"], h["import_export"]), (drives, slots + ie, ie))
                self.assertEqual(counts(st), (drives, slots, ie))

    def test_all_fixtures_have_a_status_block(self):
        for name in sorted(os.listdir(FIXTURES)):
            if name.endswith(".txt"):
                with self.subTest(name):
                    st = mtx_status.parse_status(read(name))
                    self.assertIsNotNone(st["header"])
                    self.assertGreater(len(st["elements"]), 0)


class Fields(unittest.TestCase):
    def test_msl3040_drives_sources_and_cleaner(self):
        m = mtx_status.parse(read("hpe-msl3040-status.txt"))
        d0, d1 = m[("drive", 0)], m[("drive", 1)]
        self.assertTrue(d0[0] and d1[0])
        self.assertEqual({d0[2], d1[2]}, {34, 6})
        self.assertEqual(m[("slot", 1)], (True, "CLNU01L9", None))

    def test_loaded_from_an_empty_slot_is_kept_as_printed(self):
        m = mtx_status.parse(read("pytarchive-24slot-status.txt"))
        self.assertEqual(m[("drive", 0)], (True, "AAK787L9", 24))
        self.assertFalse(m[("slot", 24)][0])
        self.assertEqual(m[("slot", 2)], (True, "CLN670L1", None))

    def test_full_without_a_tag_and_empty_tags(self):
        m = mtx_status.parse(read("transtec-nobarcode-status.txt"))
        self.assertTrue(any(full and tag is None for (full, tag, _) in m.values()))
        ibm = mtx_status.parse(read("ibm-03584L32-2C02-status.txt"))
        self.assertEqual(ibm[("slot", 3)], (False, None, None))      # "Empty:VolumeTag=" plus 36 blanks
        self.assertEqual(ibm[("slot", 1)], (True, "IBM006LA", None))

    def test_import_export_elements_are_numbered_after_the_slots(self):
        st = mtx_status.parse_status(read("proxmox-24slot-4ie-status.txt"))
        ie = sorted(k[1] for k, v in st["elements"].items() if v["import_export"])
        self.assertEqual(ie, [21, 22, 23, 24])

    def test_only_the_first_block_is_read(self):
        st = mtx_status.parse_status(read("pytarchive-24slot-status.txt"))
        self.assertEqual(st["elements"][("drive", 0)]["full"], True)   # the second block has the drive empty

    def test_differences_names_each_mismatch(self):
        a = {("slot", 1): (True, "A", None), ("drive", 0): (False, None, None)}
        b = {("slot", 1): (True, "B", None)}
        self.assertEqual(mtx_status.differences(a, b), [
            "('drive', 0): mtx (False, None, None) vs ours None",
            "('slot', 1): mtx (True, 'A', None) vs ours (True, 'B', None)"])


if __name__ == "__main__":
    unittest.main()
