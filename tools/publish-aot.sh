#!/usr/bin/env bash
# NativeAOT publish of the CLI and of the service (tapechangerd, beside it: `tapechanger serve` finds it there);
# fails if either build prints any warning (trim/AOT analysis included).
set -euo pipefail
cd "$(dirname "$0")/.."
out=${1:-artifacts/aot}
log=$(mktemp)
# Packed relative relocations (see Directory.Build.props) when this machine's glibc runs them;
# TAPECHANGER_PORTABLE=1 builds a binary that also starts on glibc 2.34 and 2.35.
relr=false
glibc=$(getconf GNU_LIBC_VERSION 2>/dev/null | awk '{print $2}')
if [ "${TAPECHANGER_PORTABLE:-0}" != 1 ] && [ -n "$glibc" ] && \
   [ "$(printf '%s\n2.36\n' "$glibc" | sort -V | head -1)" = 2.36 ]; then
  relr=true
fi
echo "publish-aot: glibc ${glibc:-unknown}, packed relative relocations: $relr" >&2
dotnet publish src/TapeChanger.Cli -c Release -r linux-x64 -p:PublishAot=true -p:PackRelativeRelocs=$relr -o "$out" -nologo 2>&1 | tee "$log"
dotnet publish src/TapeChanger.Server -c Release -r linux-x64 -p:PublishAot=true -p:PackRelativeRelocs=$relr -o "$out" -nologo 2>&1 | tee -a "$log"
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
echo "publish-aot: $out/tapechanger and $out/tapechangerd built with no warnings"
