#!/usr/bin/env bash
# NativeAOT publish of the CLI and of the service (tapechangerd, beside it: `tapechanger serve` finds it there);
# fails if either build prints any warning (trim/AOT analysis included).
set -euo pipefail
cd "$(dirname "$0")/.."
out=${1:-artifacts/aot}
log=$(mktemp)
dotnet publish src/TapeChanger.Cli -c Release -r linux-x64 -p:PublishAot=true -o "$out" -nologo 2>&1 | tee "$log"
dotnet publish src/TapeChanger.Server -c Release -r linux-x64 -p:PublishAot=true -o "$out" -nologo 2>&1 | tee -a "$log"
if grep -E "warning (IL|CS|AOT)[0-9]+" "$log" >/dev/null; then
  echo "publish-aot: warnings found" >&2
  exit 1
fi
"$out/tapechanger" --help >/dev/null
# The binary alone (as tools/install.sh installs it) opens, writes and checks a state database: SQLite is linked in.
alone=$(mktemp -d)
cp "$out/tapechanger" "$alone/"
"$alone/tapechanger" --state-dir "$alone/state" --device virtual: cleaner reserve 21 >/dev/null
"$alone/tapechanger" --state-dir "$alone/state" db check | grep -cx "integrity: ok" >/dev/null
rm -rf "$alone"
"$out/tapechangerd" --help >/dev/null
# The binary alone (as tools/install.sh installs it) opens, writes and checks a state database: SQLite is linked in.
alone=$(mktemp -d)
cp "$out/tapechanger" "$alone/"
"$alone/tapechanger" --state-dir "$alone/state" --device virtual: cleaner reserve 21 >/dev/null
if "$alone/tapechanger" --help | grep -q "^  db "; then
  "$alone/tapechanger" --state-dir "$alone/state" db check | grep -qx "integrity: ok"
fi
rm -rf "$alone"
echo "publish-aot: $out/tapechanger and $out/tapechangerd built with no warnings"
