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
# The CLI is position-dependent (see src/TapeChanger.Cli/TapeChanger.Cli.csproj); TAPECHANGER_PIE=1 links it
# position-independent like tapechangerd.
pie=false
[ "${TAPECHANGER_PIE:-0}" = 1 ] && pie=true
echo "publish-aot: glibc ${glibc:-unknown}, packed relative relocations: $relr, position-independent CLI: $pie" >&2
dotnet publish src/TapeChanger.Cli -c Release -r linux-x64 -p:PublishAot=true -p:PackRelativeRelocs=$relr -p:PositionIndependentExecutable=$pie -o "$out" -nologo 2>&1 | tee "$log"
dotnet publish src/TapeChanger.Server -c Release -r linux-x64 -p:PublishAot=true -p:PackRelativeRelocs=$relr -o "$out" -nologo 2>&1 | tee -a "$log"
if grep -E "warning (IL|CS|AOT)[0-9]+" "$log" >/dev/null; then
  echo "publish-aot: warnings found" >&2
  exit 1
fi
"$out/tapechanger" --help >/dev/null
# How each binary was linked is what start-up costs (README "Start-up"): check it, not only the build's success.
elf_type() { LC_ALL=C readelf -h "$1" | awk '$1 == "Type:" {print $2}'; }
want_cli=EXEC
[ "$pie" = true ] && want_cli=DYN
[ "$(elf_type "$out/tapechanger")" = "$want_cli" ] || { echo "publish-aot: tapechanger is $(elf_type "$out/tapechanger"), expected $want_cli" >&2; exit 1; }
[ "$(elf_type "$out/tapechangerd")" = DYN ] || { echo "publish-aot: tapechangerd is not position-independent" >&2; exit 1; }
if [ "$relr" = true ]; then
  LC_ALL=C readelf -d "$out/tapechangerd" | grep -q '(RELR)' || { echo "publish-aot: tapechangerd has no packed relocations" >&2; exit 1; }
fi
# The binary alone (as tools/install.sh installs it) opens, writes and checks a state database: SQLite is linked in.
alone=$(mktemp -d)
cp "$out/tapechanger" "$alone/"
"$alone/tapechanger" --state-dir "$alone/state" --device virtual: cleaner reserve 21 >/dev/null
"$alone/tapechanger" --state-dir "$alone/state" db check | grep -cx "integrity: ok" >/dev/null
rm -rf "$alone"
"$out/tapechangerd" --help >/dev/null
echo "publish-aot: $out/tapechanger and $out/tapechangerd built with no warnings"
