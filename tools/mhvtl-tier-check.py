#!/usr/bin/env python3
"""Checks what tools/mhvtl-tier.sh recorded: OUT/<run>/<step>.{json,txt,mtx} per state of the scenario.

- mhVTL runs: `status --json` and the text `status` agree with mtx (through the same socket) element for element.
- Every run: the scenario's expected states (load, transfer, unload, MAP actions, cleaner in and out, cleaning).
- Virtual runs: every state equals the mhVTL run of the same library, field by field, except the differences listed
  in KNOWN (also listed in README, 'mhVTL tier').
"""
import json
import os
import re
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "lib"))
import mtx_status  # noqa: E402  (tools/lib: the one parser of mtx status output)

out = sys.argv[1]
failures = []


def expect(cond, msg):
    if not cond:
        failures.append(msg)


def load(run, step, ext):
    with open(os.path.join(out, run, f"{step}.{ext}")) as f:
        return json.load(f) if ext == "json" else f.read()


def ours_json(d):
    res = {}
    for e in d["elements"]:
        if e["type"] == "dataTransfer":
            res[("drive", e["drive"])] = (e["full"], e["barcode"], e.get("sourceSlot") if e["full"] else None)
        elif e.get("slot") is not None:
            res[("slot", e["slot"])] = (e["full"], e["barcode"], None)
    return res


def ours_text(text):
    """'  drive 0   [  500]  TCA001L8   from slot 1  serial ...' / '  slot 3    [ 1002]  CLN101L8 cleaner'."""
    res = {}
    for line in text.splitlines():
        m = re.match(r"\s+(drive|slot) (\d+)\s+\[\s*\d+\]\s+(\S+)(?:.*?from slot (\d+))?", line)
        if not m:
            continue
        token = m.group(3)
        full = token != "empty"
        barcode = token if full and not token.startswith("(") else None
        source = int(m.group(4)) if m.group(1) == "drive" and full and m.group(4) else None
        res[(m.group(1), int(m.group(2)))] = (full, barcode, source)
    return res


def els(d, kind):
    return sorted((e for e in d["elements"] if e["type"] == kind), key=lambda e: e["address"])


def slot(d, n):
    return next(e for e in d["elements"] if e.get("slot") == n and e["type"] == "storage")


# Fields compared between the virtual library and mhVTL, per element.
FIELDS = ["type", "address", "full", "barcode", "source", "mediumType", "except", "asc", "ascq", "access", "impExp",
          "identifier", "cleaner", "serial"]


def in_range(emap, kind, addr):
    r = emap[kind]
    return addr is not None and r["first"] <= addr < r["first"] + r["count"]


def known(emap, virt, real, field):
    """Differences accepted and listed in README ('mhVTL tier', known differences); None when not one of them."""
    if field == "source" and virt["type"] in ("storage", "importExport") and real["full"] \
            and real["source"] is not None and not in_range(emap, "storage", real["source"]) \
            and (virt["source"] is None or in_range(emap, "storage", virt["source"])):
        return ("mhVTL reports the last element a cartridge came from, drive or MAP included (usr/smc.c move_cart); "
                "the virtual library reports storage elements only")
    if field in ("source", "mediumType") and virt["type"] == "importExport" and not real["full"] and not virt["full"]:
        return "mhVTL's 'empty map' clears only the Full bit: the emptied MAP slot keeps its source and medium type (usr/cmd/vtllibrary.c empty_map)"
    return None


runs = sorted(r for r in os.listdir(out) if os.path.isdir(os.path.join(out, r)))
for run in runs:
    steps = open(os.path.join(out, run, "steps")).read().split()
    backend = open(os.path.join(out, run, "backend")).read().strip()
    docs = {s: load(run, s, "json") for s in steps}
    for s in steps:
        if backend == "mhvtl" and os.path.exists(os.path.join(out, run, f"{s}.tcmtx")):
            # The project's mtx mode: byte for byte, but for the device name in the header line.
            real_dev = open(os.path.join(out, run, "mtx-device")).read().strip()
            tc_dev = open(os.path.join(out, run, "tcmtx-device")).read().strip()
            a = load(run, s, "mtx").replace(f"Storage Changer {real_dev}:", "Storage Changer DEV:", 1)
            b = load(run, s, "tcmtx").replace(f"Storage Changer {tc_dev}:", "Storage Changer DEV:", 1)
            expect(a == b, f"{run}/{s}: 'tapechanger mtx status' differs from mtx:\n{a}\n---\n{b}")
        if backend == "mhvtl":
            m = mtx_status.parse(load(run, s, "mtx"))
            expect(len(m) >= 16, f"{run}/{s}: could not parse mtx output")
            expect(m == ours_json(docs[s]), f"{run}/{s}: status --json differs from mtx: {'; '.join(mtx_status.differences(m, ours_json(docs[s])))}")
            expect(m == ours_text(load(run, s, "txt")), f"{run}/{s}: status text differs from mtx: {'; '.join(mtx_status.differences(m, ours_text(load(run, s, 'txt'))))}")

    init = docs["initial"]
    barcodes = [slot(init, n)["barcode"] for n in (1, 2, 3, 4)]
    expect(all(barcodes) and all(not slot(init, n)["full"] for n in range(5, 11)), f"{run}/initial: slots 1-4 full, 5-10 empty: {barcodes}")
    expect(len(els(init, "dataTransfer")) == 2 and len(els(init, "importExport")) == 4, f"{run}/initial: 2 drives and 4 MAP slots")
    d0 = els(docs["loaded"], "dataTransfer")[0]
    expect(d0["full"] and d0["barcode"] == barcodes[0] and not slot(docs["loaded"], 1)["full"], f"{run}/loaded: drive 0 holds {barcodes[0]}: {d0}")
    expect(slot(docs["transferred"], 5)["barcode"] == barcodes[1] and not slot(docs["transferred"], 2)["full"], f"{run}/transferred: slot 2 -> 5")
    expect(not els(docs["unloaded"], "dataTransfer")[0]["full"] and slot(docs["unloaded"], 1)["barcode"] == barcodes[0], f"{run}/unloaded: back in slot 1")
    rc = open(os.path.join(out, run, "exchange.rc")).read().strip()
    expect(rc == "3", f"{run}: exchange should be refused as not supported (exit 3), got {rc}: {open(os.path.join(out, run, 'exchange.err')).read().strip()}")
    ies = els(docs["map-loaded"], "importExport")
    placed = [e for e in ies if e["full"]]
    expect(len(placed) == 1 and placed[0]["cleaner"] and placed[0]["impExp"], f"{run}/map-loaded: one operator-placed cleaner in the MAP: {placed}")
    cleaner = placed[0]["barcode"] if placed else None
    expect(all(not e["access"] for e in els(docs["map-open"], "importExport")), f"{run}/map-open: MAP slots not accessible to the robot while open")
    expect(all(e["access"] for e in els(docs["map-closed"], "importExport")), f"{run}/map-closed: MAP slots accessible again")
    expect(slot(docs["injected"], 8)["barcode"] == cleaner and not any(e["full"] for e in els(docs["injected"], "importExport")),
           f"{run}/injected: cleaner {cleaner} in slot 8, MAP empty")
    clean = json.load(open(os.path.join(out, run, "clean.json")))
    expect(clean["result"] == "ERROR_SUCCESS", f"{run}: cleaning failed: {clean}")
    history = json.load(open(os.path.join(out, run, "cleaner-status.json")))["history"]
    cleaned = sorted(r["drive"] for recs in history.values() for r in recs)
    if os.path.exists(os.path.join(out, run, "clean.trace")):
        trace = open(os.path.join(out, run, "clean.trace")).read()
        seen = [m.group(1) for m in re.finditer(r"NOT READY (02/[0-9A-F]{2}/[0-9A-F]{2})", trace)]
        states = [s for i, s in enumerate(seen) if i == 0 or seen[i - 1] != s]
        expect(states[:3] == ["02/30/03", "02/04/00", "02/04/02"], f"{run}: clean 0 should see the drive go 02/30/03 -> 02/04/00 -> 02/04/02, saw {states}")
        expect(cleaned == [0], f"{run}: clean 0 cleaned drives {cleaned}")
    else:
        # One entry per drive (drives[]); only drive 1 asked, so only its cleaning passed.
        passed = [d["drive"] for d in clean.get("drives") or [] if d.get("state") == "passed"]
        expect(passed == [1], f"{run}: --if-needed should clean drive 1 only: {clean.get('drives')}")
        expect(cleaned == [1], f"{run}: --if-needed cleaned drives {cleaned}, expected [1]")
    expect(slot(docs["cleaned"], 8)["barcode"] == cleaner and not any(e["full"] for e in els(docs["cleaned"], "dataTransfer")), f"{run}/cleaned: cleaner back in slot 8")
    out_ie = [e for e in els(docs["ejected"], "importExport") if e["full"]]
    expect(len(out_ie) == 1 and out_ie[0]["barcode"] == cleaner and not slot(docs["ejected"], 8)["full"], f"{run}/ejected: cleaner in the MAP")
    expect(not any(e["full"] for e in els(docs["emptied"], "importExport")), f"{run}/emptied: MAP empty")

# The virtual library against mhVTL, state by state.
accepted = set()
for run in runs:
    if not run.startswith("virtual-"):
        continue
    real = "mhvtl-" + run[len("virtual-"):]
    if real not in runs:
        continue
    steps = open(os.path.join(out, run, "steps")).read().split()
    for s in steps:
        v, r = load(run, s, "json"), load(real, s, "json")
        for field in ("vendor", "product", "revision"):
            expect(v["library"][field] == r["library"][field], f"{run}/{s}: library {field}: virtual {v['library'][field]!r} vs mhVTL {r['library'][field]!r}")
        expect(v["elementMap"] == r["elementMap"], f"{run}/{s}: element map: virtual {v['elementMap']} vs mhVTL {r['elementMap']}")
        rv = {e["address"]: e for e in v["elements"]}
        rr = {e["address"]: e for e in r["elements"]}
        for addr in sorted(set(rv) | set(rr)):
            a, b = rv.get(addr), rr.get(addr)
            if a is None or b is None:
                expect(False, f"{run}/{s}: element {addr} only in {'mhVTL' if a is None else 'virtual'}")
                continue
            for f in FIELDS:
                if a.get(f) != b.get(f):
                    why = known(r["elementMap"], a, b, f)
                    if why:
                        accepted.add(f"{b['type']} {f}: {why}")
                    else:
                        failures.append(f"{run}/{s}: element {addr} ({b['type']}) {f}: virtual {a.get(f)!r} vs mhVTL {b.get(f)!r}")

for a in sorted(accepted):
    print(f"mhvtl tier: known difference (README): {a}")
if failures:
    for f in failures[:60]:
        print("FAIL " + f)
    if len(failures) > 60:
        print(f"... and {len(failures) - 60} more")
    sys.exit(1)
print(f"mhvtl tier: {len(runs)} runs checked: status agrees with mtx in every state; virtual library matches mhVTL")
