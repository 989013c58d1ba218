#!/usr/bin/env bash
# The test command named in README.md: builds the solution and runs every test project,
# then prints one closing "N passed, N failed" line summed over the projects.
set -euo pipefail
cd "$(dirname "$0")/.."
dotnet build TapeChanger.sln -c Release -nologo -v quiet
log=$(mktemp)
set +e
trx=$(mktemp -d)
dotnet test TapeChanger.sln -c Release --no-build -nologo -v quiet --results-directory "$trx" --logger trx 2>&1 | tee "$log"
rc=${PIPESTATUS[0]}
set -e
# Every skipped test by name, with the reason it gave (from the TRX results: outcome NotExecuted), and every failed test
# with its message and the first lines of its stack, so a CI log explains a failure without a rerun.
python3 - "$trx" <<'PY'
import glob, sys, xml.etree.ElementTree as ET
ns = {"t": "http://microsoft.com/schemas/VisualStudio/TeamTest/2010"}
for f in sorted(glob.glob(sys.argv[1] + "/**/*.trx", recursive=True)):
    for r in ET.parse(f).getroot().iterfind(".//t:UnitTestResult", ns):
        if r.get("outcome") == "NotExecuted":
            msg = r.find("t:Output/t:ErrorInfo/t:Message", ns)
            msg = msg if msg is not None else r.find("t:Output/t:StdOut", ns)
            why = " ".join((msg.text or "").split()) if msg is not None else "no reason given"
            print(f"skipped: {r.get('testName')}: {why}")
        elif r.get("outcome") == "Failed":
            msg = r.find("t:Output/t:ErrorInfo/t:Message", ns)
            stack = r.find("t:Output/t:ErrorInfo/t:StackTrace", ns)
            print(f"FAILED: {r.get('testName')}")
            print("  " + ((msg.text or "") if msg is not None else "").strip().replace("\n", "\n  ")[:4000])
            for line in ((stack.text or "") if stack is not None else "").strip().splitlines()[:6]:
                print("  " + line.strip())
PY
rm -rf "$trx"
# dotnet test prints one line per project: "Passed!  - Failed:     0, Passed:    42, Skipped:     0, Total: ..."
passed=$(grep -oE 'Passed: +[0-9]+' "$log" | awk '{s+=$2} END {print s+0}')
failed=$(grep -oE 'Failed: +[0-9]+' "$log" | awk '{s+=$2} END {print s+0}')
skipped=$(grep -oE 'Skipped: +[0-9]+' "$log" | awk '{s+=$2} END {print s+0}')
rm -f "$log"
echo "tests: $passed passed, $failed failed, $skipped skipped"
exit "$rc"
