#!/usr/bin/env bash
# Mutation testing with Stryker.NET (a local dotnet tool, .config/dotnet-tools.json): each project's own test project
# must kill its mutants. Prints each project's mutation score; HTML/JSON reports under artifacts/mutation/PROJECT.
#
#   tools/mutation.sh                       Scsi Domain Cleaning Transport (long: tens of minutes on 2 cores)
#   tools/mutation.sh Scsi                  one project
#   MUTATION_SINCE=main tools/mutation.sh   only code changed since that commit
set -euo pipefail
cd "$(dirname "$0")/.."
repo=$PWD
dotnet tool restore >/dev/null
projects=${*:-Scsi Domain Cleaning Transport}
for p in $projects; do
  test_project="tests/TapeChanger.$p.Tests"
  [ -d "$test_project" ] || { echo "mutation: no test project $test_project" >&2; exit 64; }
  out="$repo/artifacts/mutation/$p"
  mkdir -p "$out"
  since=()
  [ -n "${MUTATION_SINCE:-}" ] && since=(--since:"$MUTATION_SINCE")
  echo "== mutation testing of TapeChanger.$p (tests: $test_project)"
  (cd "$test_project" && dotnet stryker --project "TapeChanger.$p.csproj" --configuration Release \
      --reporter progress --reporter json --reporter html --output "$out" --concurrency "$(nproc)" "${since[@]}") \
    | tee "$out/stryker.log" | grep -E "mutation score|Killed|Survived|Timeout|No coverage" || true
  score=$(grep -oE 'final mutation score is [0-9.]+' "$out/stryker.log" | grep -oE '[0-9.]+$' || echo "?")
  echo "mutation: TapeChanger.$p score $score %"
done
