#!/usr/bin/env bash
# The test command named in README.md: builds the solution and runs every test project,
# then prints one closing "N passed, N failed" line summed over the projects.
set -euo pipefail
cd "$(dirname "$0")/.."
dotnet build TapeChanger.sln -c Release -nologo -v quiet
log=$(mktemp)
set +e
dotnet test TapeChanger.sln -c Release --no-build -nologo -v quiet 2>&1 | tee "$log"
rc=${PIPESTATUS[0]}
set -e
# dotnet test prints one line per project: "Passed!  - Failed:     0, Passed:    42, Skipped:     0, Total: ..."
passed=$(grep -oE 'Passed: +[0-9]+' "$log" | awk '{s+=$2} END {print s+0}')
failed=$(grep -oE 'Failed: +[0-9]+' "$log" | awk '{s+=$2} END {print s+0}')
skipped=$(grep -oE 'Skipped: +[0-9]+' "$log" | awk '{s+=$2} END {print s+0}')
rm -f "$log"
echo "tests: $passed passed, $failed failed, $skipped skipped"
exit "$rc"
