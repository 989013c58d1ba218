#!/usr/bin/env bash
# Console tier: the web console (served by tapechangerd at /) in Debian's chromium, driven by Microsoft.Playwright
# (tests/TapeChanger.Console.Tests; Playwright's driver comes in its NuGet package, the browser is the system one, so
# nothing is downloaded at run time). tapechangerd runs as a process on the virtual library with a temporary state
# directory: log in, the library, a load by clicking checked through the CLI, a move by the CLI followed live, an
# operator request answered during a mail-slot cleaner inject, a failed load with its sense, a viewer without actions
# (and refused by the API), a 2,000-slot library with its first paint measured, a load by clicking on a tgt library
# read back from the library, the fleet panel of two services on one PostgreSQL database; any browser console error
# fails.
#   CONSOLE_SVC_BIN    folder holding the tapechangerd to test (CI: the NativeAOT one, artifacts/aot); default: the
#                      one built beside the tests
#   CONSOLE_FILTER     a dotnet test --filter expression
#   TAPECHANGER_ARTIFACTS  screenshots go to $TAPECHANGER_ARTIFACTS/console (default artifacts/console)
# Without chromium the tier is skipped with the reason, unless TAPECHANGER_REQUIRE_BROWSER=1 (CI), which fails.
set -euo pipefail
cd "$(dirname "$0")/.."
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1 PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1

if [[ -z ${CHROMIUM_PATH:-} ]] && ! command -v chromium >/dev/null 2>&1; then
  if [[ ${TAPECHANGER_REQUIRE_BROWSER:-} == 1 ]]; then
    echo "console tier: FAILED: chromium is not installed (apt-get install -y chromium)" >&2
    exit 1
  fi
  echo "console tier: skipped: chromium is not installed (apt-get install -y chromium)"
  exit 0
fi
if [[ -n ${CONSOLE_SVC_BIN:-} && ! -x $CONSOLE_SVC_BIN/tapechangerd ]]; then
  echo "console tier: FAILED: CONSOLE_SVC_BIN=$CONSOLE_SVC_BIN has no executable tapechangerd" >&2
  exit 1
fi
required=${TAPECHANGER_REQUIRE_BROWSER:-}
export TAPECHANGER_REQUIRE_BROWSER=1
# A tgt library (tools/tgt-library.sh, its own state file, stopped at exit) for the test that loads by clicking on tgt
# and reads the result back from the library; its changer URI goes to the tests in TAPECHANGER_CONSOLE_TGT.
work=$(mktemp -d "${TMPDIR:-/tmp}/tapechanger-console-tier.XXXXXX")
export TGT_STATE_FILE=$work/tgt.state
cleanup() {
  [[ -f $TGT_STATE_FILE ]] && tools/tgt-library.sh stop >/dev/null 2>&1 || true
  [[ -n ${PG_DIR:-} ]] && pg_stop
  rm -rf "$work"
}
trap cleanup EXIT
if ! command -v tgtd >/dev/null 2>&1 && [[ $required == 1 ]]; then
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq tgt >/dev/null
fi
if command -v tgtd >/dev/null 2>&1; then
  TGT_IQN=iqn.2026-12.dev.tapechanger:console tools/tgt-library.sh start >/dev/null
  TAPECHANGER_CONSOLE_TGT=$(tools/tgt-library.sh uri)
  export TAPECHANGER_CONSOLE_TGT
  echo "console tier: tgt library at $TAPECHANGER_CONSOLE_TGT"
else
  echo "console tier: tgt is not installed (apt-get install -y tgt): the tgt browser test is skipped"
fi
# The fleet panel test needs a PostgreSQL server (two services on one database): CI names one in
# TAPECHANGER_TEST_POSTGRES; otherwise a throw-away cluster (tools/lib/postgres.sh) is started here and stopped at exit.
if [[ -z ${TAPECHANGER_TEST_POSTGRES:-} ]]; then
  # shellcheck source=lib/postgres.sh
  source tools/lib/postgres.sh
  pg_start "$(mktemp -d "${TMPDIR:-/tmp}/tapechanger-console-pg.XXXXXX")"
  export TAPECHANGER_TEST_POSTGRES=$PG_URI
  echo "console tier: PostgreSQL for the fleet panel test at $PG_URI"
fi
dotnet build tests/TapeChanger.Console.Tests -c Release -nologo -v quiet
args=()
[[ -n ${CONSOLE_FILTER:-} ]] && args+=(--filter "$CONSOLE_FILTER")
shots=${TAPECHANGER_ARTIFACTS:+$TAPECHANGER_ARTIFACTS/console}
rm -f "${shots:-artifacts/console}/first-paint.json"
dotnet test tests/TapeChanger.Console.Tests -c Release --no-build -nologo "${args[@]}"
# First paint as the browser measured it (Performance API marks, navigation to the library painted), with the machine.
if [[ -s ${shots:-artifacts/console}/first-paint.json ]]; then
  machine="$(nproc) CPUs, $(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -1), chromium $(${CHROMIUM_PATH:-chromium} --version 2>/dev/null | awk '{print $2}')"
  python3 -c 'import json,sys
for l in open(sys.argv[1]):
    if l.strip(): print("console tier: " + json.loads(l)["line"])' "${shots:-artifacts/console}/first-paint.json"
  echo "console tier: measured on $machine (target: under 1000 ms)"
fi
echo "console tier: passed; screenshots in ${shots:-artifacts/console}: $(ls "${shots:-artifacts/console}" | tr '\n' ' ')"
