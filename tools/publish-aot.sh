#!/usr/bin/env bash
# NativeAOT publish of the CLI and of the service (tapechangerd, beside it: `tapechanger serve` finds it there);
# fails if any build prints any warning (trim/AOT analysis included).
# The CLI is two images of the one project (src/TapeChanger.Cli/FullImage.cs): tapechanger, lean, built without the
# service client of --server and without PostgreSQL (-p:TapeChangerImage=lean), which starts faster; and
# tapechanger-full beside it, with both, which tapechanger runs in its place when a command needs either.
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
cli=(-c Release -r linux-x64 -p:PublishAot=true -p:PackRelativeRelocs=$relr -p:PositionIndependentExecutable=$pie -nologo)
dotnet publish src/TapeChanger.Cli "${cli[@]}" -p:TapeChangerImage=lean -o "$out" 2>&1 | tee "$log"
# The full image: its own ILC output (obj/.../native-full), so the two images never share object files; published
# apart and moved beside the lean one under its own name.
full_out=$(mktemp -d)
dotnet publish src/TapeChanger.Cli "${cli[@]}" -p:NativeIntermediateOutputPath=obj/Release/net10.0/linux-x64/native-full/ -o "$full_out" 2>&1 | tee -a "$log"
mv -f "$full_out/tapechanger" "$out/tapechanger-full"
# Its symbols beside it under its own name (the binary's debug link still says tapechanger.dbg: load them by name).
if [ -f "$full_out/tapechanger.dbg" ]; then mv -f "$full_out/tapechanger.dbg" "$out/tapechanger-full.dbg"; fi
rm -rf "$full_out"
dotnet publish src/TapeChanger.Server -c Release -r linux-x64 -p:PublishAot=true -p:PackRelativeRelocs=$relr -o "$out" -nologo 2>&1 | tee -a "$log"
if grep -E "warning (IL|CS|AOT)[0-9]+" "$log" >/dev/null; then
  echo "publish-aot: warnings found" >&2
  exit 1
fi
"$out/tapechanger" --help >/dev/null
"$out/tapechanger-full" --help >/dev/null
# How each binary was linked is what start-up costs (docs/performance.md "Start-up"): check it, not only the build's success.
elf_type() { LC_ALL=C readelf -h "$1" | awk '$1 == "Type:" {print $2}'; }
want_cli=EXEC
[ "$pie" = true ] && want_cli=DYN
for b in tapechanger tapechanger-full; do
  [ "$(elf_type "$out/$b")" = "$want_cli" ] || { echo "publish-aot: $b is $(elf_type "$out/$b"), expected $want_cli" >&2; exit 1; }
done
[ "$(elf_type "$out/tapechangerd")" = DYN ] || { echo "publish-aot: tapechangerd is not position-independent" >&2; exit 1; }
if [ "$relr" = true ]; then
  LC_ALL=C readelf -d "$out/tapechangerd" | grep -q '(RELR)' || { echo "publish-aot: tapechangerd has no packed relocations" >&2; exit 1; }
fi
# The lean image really is without PostgreSQL and the HTTP client (the trimmer left them out), the full one has them.
count() { LC_ALL=C grep -c -a -F "$1" "$2" || true; }
for s in Npgsql System.Net.Http; do
  [ "$(count "$s" "$out/tapechanger")" = 0 ] || { echo "publish-aot: the lean tapechanger still contains $s" >&2; exit 1; }
  [ "$(count "$s" "$out/tapechanger-full")" != 0 ] || { echo "publish-aot: tapechanger-full has no $s" >&2; exit 1; }
done
# A command for a service goes through the lean image to tapechanger-full: the full image's client answers (the
# lean one has no client to say "cannot reach").
rc=0; err=$(TAPECHANGER_SERVER=unix:/nonexistent/tapechangerd.sock "$out/tapechanger" status 2>&1 >/dev/null) || rc=$?
[ "$rc" = 69 ] && [[ $err == "tapechanger: cannot reach the service at unix:/nonexistent/tapechangerd.sock: "* ]] \
  || { echo "publish-aot: TAPECHANGER_SERVER status did not reach tapechanger-full (exit $rc): $err" >&2; exit 1; }
# Through a link named mtx in another directory, with a PostgreSQL database set: tapechanger-full is found beside the
# link's target and runs as mtx (argv[0] kept): mtx's "cannot open SCSI device" with Npgsql's refused connection.
links=$(mktemp -d)
ln -s "$(readlink -f "$out/tapechanger")" "$links/mtx"
rc=0; err=$(TAPECHANGER_STATE_DIR=$links/state TAPECHANGER_DATABASE=postgresql://127.0.0.1:1/none "$links/mtx" -f virtual: status 2>&1) || rc=$?
rm -rf "$links"
[ "$rc" = 1 ] && [[ $err == "cannot open SCSI device 'virtual:' - ERROR_DATABASE_FAILURE (4313): state database postgresql://127.0.0.1:1/none: cannot reach PostgreSQL at 127.0.0.1:1 "* ]] \
  || { echo "publish-aot: mtx with TAPECHANGER_DATABASE did not run as mtx in tapechanger-full (exit $rc): $err" >&2; exit 1; }
# The binary alone (as tools/install.sh installs it) opens, writes and checks a state database: SQLite is linked in.
alone=$(mktemp -d)
cp "$out/tapechanger" "$alone/"
"$alone/tapechanger" --state-dir "$alone/state" --device virtual: cleaner reserve 21 >/dev/null
"$alone/tapechanger" --state-dir "$alone/state" db check | grep -cx "integrity: ok" >/dev/null
# Alone, a command for a service is one line naming the missing tapechanger-full, exit 69.
rc=0; err=$("$alone/tapechanger" --server unix:/nonexistent/tapechangerd.sock status 2>&1 >/dev/null) || rc=$?
[ "$rc" = 69 ] && [ "$err" = "tapechanger: this command goes to a service (--server, TAPECHANGER_SERVER or Server in appsettings.json), which needs tapechanger-full: $alone/tapechanger-full is not installed (tools/install.sh installs it beside tapechanger)" ] \
  || { echo "publish-aot: the lean tapechanger without tapechanger-full: exit $rc: $err" >&2; exit 1; }
# A lean copy installed as tapechanger-full by mistake: one line again, not a hand-over to itself for ever.
cp "$out/tapechanger" "$alone/tapechanger-full"
rc=0; err=$(timeout 20 "$alone/tapechanger" --server unix:/nonexistent/tapechangerd.sock status 2>&1 >/dev/null) || rc=$?
[ "$rc" = 69 ] && [[ $err == *"which needs tapechanger-full: $alone/tapechanger-full is this lean tapechanger, not the full image (tools/install.sh installs both)" ]] \
  || { echo "publish-aot: a lean tapechanger-full: exit $rc: $err" >&2; exit 1; }
rm -rf "$alone"
"$out/tapechangerd" --help >/dev/null
echo "publish-aot: $out/tapechanger (lean), $out/tapechanger-full and $out/tapechangerd built with no warnings"
