#!/usr/bin/env bash
# Mutation testing with Stryker.NET (a local dotnet tool, .config/dotnet-tools.json): each project's own test project
# must kill its mutants. Settings per project in tools/mutation/PROJECT.json (one test process at a time, per-test
# coverage so a mutant runs only the tests that reach it). Prints each project's mutation score and run time;
# HTML/JSON reports and the log under artifacts/mutation/PROJECT.
#
#   tools/mutation.sh                       Scsi Domain Cleaning Transport (long: see README "Mutation testing")
#   tools/mutation.sh Scsi                  one project
#   MUTATION_SINCE=main tools/mutation.sh   only code changed since that commit
#   MUTATION_TIMEOUT=90m                    stop a project's run after this long (default 120m; `timeout` syntax)
#   MUTATION_CONCURRENCY=2                  test processes in parallel (default 1: the build machine is shared)
#   MUTATION_FILES='**/MediaChanger*.cs'    mutate only these files (globs, space-separated; replaces the settings' list)
#   MUTATION_TEST_FILTER='FullyQualifiedName~FullImage'
#                                           run only these tests (dotnet test --filter syntax): for Cli, whose own tests
#                                           include slow process-level and cleaner runs (about a minute in all)
#   tools/mutation.sh Cli                   TapeChanger.Cli (not in the default list: use file sets, README)
set -euo pipefail
cd "$(dirname "$0")/.."
repo=$PWD
dotnet tool restore >/dev/null
projects=${*:-Scsi Domain Cleaning Transport}
# The property tests run fewer cases per mutant: they are there to turn a mutant's crash or hang into a kill, not to fuzz.
export TAPECHANGER_FUZZ_CASES=${TAPECHANGER_FUZZ_CASES:-50}
for p in $projects; do
  test_project="tests/TapeChanger.$p.Tests"
  config="tools/mutation/$p.json"
  [ -d "$test_project" ] || { echo "mutation: no test project $test_project" >&2; exit 64; }
  [ -f "$config" ] || { echo "mutation: no settings $config" >&2; exit 64; }
  out="$repo/artifacts/mutation/$p"
  rm -rf "$out"; mkdir -p "$out"
  extra=()
  [ -n "${MUTATION_SINCE:-}" ] && extra=(--since:"$MUTATION_SINCE")
  read -r -a files <<< "${MUTATION_FILES:-}"          # read -a: the globs are Stryker's, not the shell's
  for f in "${files[@]}"; do extra+=(--mutate "$f"); done
  [ -n "${MUTATION_TEST_FILTER:-}" ] && extra+=(--test-case-filter "$MUTATION_TEST_FILTER")
  echo "== mutation testing of TapeChanger.$p (tests: $test_project, settings: $config)"
  start=$(date +%s)
  rc=0
  (cd "$test_project" && timeout "${MUTATION_TIMEOUT:-120m}" dotnet stryker --config-file "$repo/$config" \
      --concurrency "${MUTATION_CONCURRENCY:-1}" --output "$out" --skip-version-check "${extra[@]}") \
    > "$out/stryker.log" 2>&1 || rc=$?
  minutes=$(( ($(date +%s) - start + 59) / 60 ))
  grep -E "mutants? (created|tested)|Killed|Survived|Timeout|No coverage|mutation score" "$out/stryker.log" | tail -n 12 || true
  score=$(grep -oE 'final mutation score is [0-9.]+' "$out/stryker.log" | grep -oE '[0-9.]+$' || echo "?")
  [ "$rc" = 124 ] && echo "mutation: TapeChanger.$p stopped after ${MUTATION_TIMEOUT:-120m} (no score)"
  echo "mutation: TapeChanger.$p score $score % in $minutes min"
done
