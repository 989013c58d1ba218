#!/usr/bin/env python3
"""The kernel tier's checker: reads the guest's serial log (steps between @@KT-BEGIN and @@KT-END written by
tools/guest/kernel-tier-init.sh) and checks each step's exit code and output; mtx's view of the library
(tools/lib/mtx_status.py) is the reference for `status`. Usage: kernel_tier_check.py SERIAL_LOG TESTS_ENABLED(0|1)"""
import json
import os
import re
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import mtx_status  # noqa: E402

text = open(sys.argv[1], encoding="utf-8", errors="replace").read().replace("\r", "")
steps = {}
for m in re.finditer(r"^@@KT-BEGIN (\S+) rc=(\d+) t0=(\S+) t1=(\S+) args=(.*?)\n@@KT-STDOUT\n(.*?)\n@@KT-STDERR\n(.*?)\n@@KT-END \1$",
                     text, re.S | re.M):
    name, rc, t0, t1, args, out, err = m.groups()
    steps[name] = dict(rc=int(rc), secs=float(t1) - float(t0), args=args, out=out.strip(), err=err.strip())

def doc(s):
    return json.loads(s["out"])

def elements(d, kind):
    return [e for e in d["elements"] if e["type"] == kind]

def slot(d, n):
    return next(e for e in d["elements"] if e.get("slot") == n)

def expect(cond, why):
    if not cond:
        raise AssertionError(why)

def initial_layout(d):
    expect(d["ok"] is True, "ok is not true")
    expect(d["library"]["product"] == "VIRTUAL-CHANGER", f"product {d['library']['product']!r}")
    expect(len(elements(d, "dataTransfer")) == 2, "expected 2 drives")
    expect(len(elements(d, "storage")) == 8, "expected 8 storage slots")
    expect(len(elements(d, "importExport")) == 2, "expected 2 import/export slots")
    for n, bc in enumerate(["TC0001L6", "TC0002L6", "TC0003L6", "TC0004L6", "CLN001L1"], 1):
        expect(slot(d, n)["full"] and slot(d, n)["barcode"] == bc, f"slot {n} should hold {bc}: {slot(d, n)}")
    expect(slot(d, 5)["cleaner"] is True, "CLN001L1 not marked as a cleaner")
    expect(not slot(d, 6)["full"] and not slot(d, 7)["full"], "slots 6 and 7 should be empty")
    expect(all(not e["full"] for e in elements(d, "dataTransfer")), "drives should be empty")

def check_loaded(d):
    drive0 = min(elements(d, "dataTransfer"), key=lambda e: e["address"])
    expect(drive0["full"] and drive0["barcode"] == "TC0001L6", f"drive 0 should hold TC0001L6: {drive0}")
    expect(drive0["source"] == 4, f"drive 0 source should be element 4: {drive0['source']}")
    expect(not slot(d, 1)["full"], "slot 1 should be empty after load")

def check_moved(d):
    expect(slot(d, 6)["full"] and slot(d, 6)["barcode"] == "TC0002L6", f"slot 6 should hold TC0002L6: {slot(d, 6)}")
    expect(not slot(d, 2)["full"], "slot 2 should be empty after transfer")

def one_line_error(s, *fragments):
    lines = [l for l in s["err"].splitlines() if l.strip()]
    expect(len(lines) == 1 and lines[0].startswith("tapechanger: "), f"expected one 'tapechanger: ' line on stderr, got {s['err']!r}")
    for f in fragments:
        expect(f in lines[0], f"stderr lacks {f!r}: {lines[0]!r}")

def ours(d):
    out = {}
    for e in d["elements"]:
        if e["type"] == "dataTransfer":
            out[("drive", e["drive"])] = (e["full"], e["barcode"], e.get("sourceSlot") if e["full"] else None)
        elif e.get("slot") is not None:
            out[("slot", e["slot"])] = (e["full"], e["barcode"], None)
    return out

def same_as_mtx(mtx_step, ours_step):
    def check(s):
        m, o = mtx_status.parse(s["out"]), ours(doc(steps[ours_step]))
        expect(len(m) >= 10, f"could not parse mtx output: {s['out'][:200]!r}")
        expect(m == o, "differs from mtx: " + "; ".join(mtx_status.differences(m, o)))
    return check

def check_list(s):
    d = doc(s)
    changers = [x for x in d["devices"] if x["kind"] == "changer"]
    expect(len(changers) == 1 and changers[0]["uri"].startswith("sg:/dev/sg"), f"expected one sg changer: {changers}")
    drives = changers[0]["drives"] or []
    expect(len(drives) == 2, f"expected 2 drive elements: {drives}")
    expect(any(x["uri"] for x in drives), f"no drive paired with a tape device: {drives}")
    expect(sum(1 for x in d["devices"] if x["kind"] == "tape") == 2, "expected 2 tape devices")

def check_conformance(s):
    text = s["out"] + "\n" + s["err"]
    # dotnet test's summary: "Passed!  - Failed: 0, Passed: 10, ..." (minimal verbosity) or, with the normal-verbosity
    # console logger, "Test Run Successful." / "Test Run Failed." followed by "Total tests: N", "Passed: N", "Failed: N".
    m = re.search(r"^\s*(Passed|Failed)!\s+-\s+Failed:\s+(\d+),\s+Passed:\s+(\d+),\s+Skipped:\s+(\d+),\s+Total:\s+(\d+)", text, re.M)
    if m:
        verdict, failed, passed, skipped, total = m.group(1), *map(int, m.groups()[1:])
    else:
        m = re.search(r"^Test Run (Successful|Failed|Aborted)\.\n((?:.*\n?){0,6})", text, re.M)
        expect(m, f"no 'Passed!/Failed!' or 'Test Run ...' summary; output tail: {text[-600:]!r}")
        count = lambda k: int((re.search(rf"^\s*{k}:\s+(\d+)", m.group(2), re.M) or [0, 0])[1])
        verdict = "Passed" if m.group(1) == "Successful" else "Failed"
        failed, passed, skipped, total = count("Failed"), count("Passed"), count("Skipped"), count("Total tests")
    names = lambda outcome, dev: len(re.findall(rf'^\s*{outcome} \S*ChangerConformanceTests\.\S+\(device: "{dev}', text, re.M))
    virt, sg = names("Passed", "virtual:"), names("Passed", "sg:/dev/sg")
    bad = re.findall(r'^\s*Failed (\S*ChangerConformanceTests\.\S+\(device: "[^"]*"\))', text, re.M)
    expect(verdict == "Passed" and failed == 0 and skipped == 0 and passed == total > 0,
           f"{verdict}: failed {failed}, passed {passed}, skipped {skipped}, total {total}; failed tests: {bad}")
    expect(virt > 0 and sg == virt, f"{sg} sg: tests passed, expected as many as the {virt} virtual: ones")
    expect(passed == virt + sg and passed > virt, f"summary says {passed} passed, per-test lines say {virt} virtual: + {sg} sg:")
    s["summary"] = f"{passed} passed ({virt} virtual: + {sg} sg:)"

def check_clean_over_sg(s):
    """The cleaning watched the drive itself over sg: (not the profile's fixed wait): after the '# drive sg:/dev/sgN' line
    of the --verbose log, TEST UNIT READY and LOG SENSE went to that drive."""
    lines = s["err"].splitlines()
    start = next((i for i, l in enumerate(lines) if re.match(r"^# drive sg:/dev/sg\d+$", l)), None)
    expect(start is not None, "the cleaning did not open the drive over sg:\n" + s["err"][-1500:])
    drive = lines[start:]
    expect(any(l.startswith("> TEST UNIT READY") for l in drive), "no TEST UNIT READY to the drive:\n" + s["err"][-1500:])
    expect(any(l.startswith("> LOG SENSE") for l in drive), "no LOG SENSE (TapeAlert) to the drive:\n" + s["err"][-1500:])
    s["summary"] = f"{lines[start][2:]}: {sum(1 for l in drive if l.startswith('> TEST UNIT READY'))} TEST UNIT READY"

def same_bytes(s, mtx_step, first_err_line=False):
    """tapechanger mtx against mtx's own step: the same stdout byte for byte (and the same first stderr line)."""
    m = steps[mtx_step]
    expect(s["out"] == m["out"], f"stdout differs from {mtx_step}: {s['out'][:300]!r} vs {m['out'][:300]!r}")
    if first_err_line:
        first = lambda t: (t.splitlines() or [""])[0]
        expect(first(s["err"]) == first(m["err"]), f"first stderr line differs: {first(s['err'])!r} vs {first(m['err'])!r}")

tests_enabled = sys.argv[2] == "1"
checks = [
    ("status", 0, lambda s: initial_layout(doc(s))),
    ("mtx-status", 0, same_as_mtx("mtx-status", "status")),
    # tapechanger mtx over the same sg node: mtx's text byte for byte, header and device name included.
    ("tc-mtx-status", 0, lambda s: same_bytes(s, "mtx-status")),
    ("status-iscsi", 0, lambda s: same_as_mtx("mtx-status", "status-iscsi")(steps["mtx-status"])),
    ("inquiry", 0, lambda s: expect(doc(s)["ok"] is True and "VIRTUAL-CHANGER" in s["out"], "inquiry JSON")),
    ("list", 0, check_list),
    ("load", 0, None),
    ("status-loaded", 0, lambda s: check_loaded(doc(s))),
    ("mtx-loaded", 0, same_as_mtx("mtx-loaded", "status-loaded")),
    ("tc-mtx-loaded", 0, lambda s: same_bytes(s, "mtx-loaded")),
    ("unload", 0, None),
    ("transfer", 0, None),
    ("status-moved", 0, lambda s: check_moved(doc(s))),
    ("transfer-back", 0, None),
    ("load-empty-slot", 1, lambda s: one_line_error(s, "slot 7")),
    ("mtx-load-empty", 1, None),
    ("tc-mtx-load-empty", 1, lambda s: same_bytes(s, "mtx-load-empty", first_err_line=True)),
    ("load-for-eject", 0, None),
    ("unload-eject", 0, lambda s: expect(
        [l[2:6] for l in s["err"].splitlines() if l.startswith(("> LOAD UNLOAD", "> MOVE MEDIUM"))][:1] == ["LOAD"]
        and any(l.startswith("> MOVE MEDIUM") for l in s["err"].splitlines()),
        "no LOAD UNLOAD to the paired tape before MOVE MEDIUM:\n" + s["err"][-1500:])),
    ("missing-device", 69, lambda s: one_line_error(s, "no such device /dev/sg99")),
    # A tape drive's sg node is refused with "not supported" (3), naming what it is.
    ("not-a-changer", 3, lambda s: one_line_error(s, "is a tape drive")),
    ("conformance", 0, check_conformance),
    ("cleaner-adopt", 0, None),
    ("clean-sg", 0, check_clean_over_sg),
    ("status-final", 0, lambda s: initial_layout(doc(s))),
    ("status-verbose", 0, lambda s: expect("> READ ELEMENT STATUS" in s["err"] and "< status Good" in s["err"], "no CDB trace on stderr")),
]
passed = failed = 0
for name, rc, check in checks:
    s = steps.get(name)
    if s is None:
        if name == "not-a-changer" or (name == "conformance" and not tests_enabled):
            continue
        print(f"FAIL  {name:16} did not run"); failed += 1; continue
    why = ""
    try:
        if rc is not None:
            expect(s["rc"] == rc, f"exit {s['rc']}, expected {rc}; stderr: {s['err'][:300]!r}")
        if check:
            check(s)
    except (AssertionError, ValueError, KeyError, StopIteration) as e:
        why = f"{type(e).__name__}: {e}"
    detail = s["err"].splitlines()[0] if s["err"] and s["rc"] != 0 else ""
    if why:
        failed += 1
        print(f"FAIL  {name:16} rc={s['rc']:<3} {s['secs']:5.2f}s  tapechanger {s['args']}\n      {why}")
    else:
        passed += 1
        print(f"PASS  {name:16} rc={s['rc']:<3} {s['secs']:5.2f}s  tapechanger {s['args']}" + (f"\n      {detail}" if detail else "")
              + (f"\n      {s['summary']}" if "summary" in s else ""))
print(f"kernel-tier: {passed} passed, {failed} failed")
sys.exit(1 if failed else 0)
