#!/usr/bin/env bash
# Service tier: tapechangerd as a process, on the virtual library and on a tgt library (tools/tgt-library.sh).
#   0. tools/systemd/tapechanger.service passes systemd-analyze verify without a warning.
#   1. `tapechanger serve` starts tapechangerd on a Unix socket; status, load, unload, mtx status and bacula-changer
#      through --server print what the CLI prints directly (a second, fresh virtual library is the reference).
#   2. The same commands through the service against tgt, each checked by the CLI reading the library directly.
#   2b. 8 client processes x 50 mixed requests through one service (virtual library and tgt).
#   2c. The service (API transfers) and direct CLI processes (no --server) moving on one tgt library at once: in one
#      shared ScsiLog, no two processes' MOVE MEDIUMs or robot lock holds overlap, every MOVE MEDIUM ran under its
#      process's hold; cartridges conserved.
#   2d. A direct CLI move while the service's move holds the virtual library (BUSY for 5 s) waits, then runs.
#   3. kill -9 in the middle of a queue: five chained transfers queued (the first held up by BUSY from the virtual
#      library), the service killed while the first is in process and started again: every acknowledged request
#      ends, each ran once (the chain ends where it must, no request failed), no cartridge lost.
#   4. Load: 50 clients asking the kept status for 5 s over the socket, beside the CLI run directly and through
#      --server (a process per request); target 1000 requests/s and p99 under 20 ms for the API.
# Binaries: SVC_BIN (a folder with tapechanger and tapechangerd, e.g. the NativeAOT artifacts/aot), else the Release
# build of src/TapeChanger.Server (tapechanger.dll beside tapechangerd.dll) run with dotnet.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD
if ! command -v tgtd >/dev/null 2>&1; then
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends tgt >/dev/null
fi
# shellcheck source=lib/svc_bin.sh
source tools/lib/svc_bin.sh
svc_binaries
work=$(mktemp -d /tmp/tapechanger-svc-tier.XXXXXX)
export TGT_STATE_FILE=$work/tgt.state
pids=()
cleanup() {
  for p in "${pids[@]}"; do kill -9 "$p" 2>/dev/null || true; done
  tools/tgt-library.sh stop >/dev/null 2>&1 || true
  rm -rf "$work"
}
trap cleanup EXIT
fail() { echo "service-tier: FAIL: $*" >&2; exit 1; }

# start_service STATE LOG [ENV=VALUE...]: tapechangerd on STATE/tapechangerd.sock; waits until it answers.
start_service() {
  local state=$1 log=$2; shift 2
  env "$@" "${daemon[@]}" --state-dir "$state" >>"$log" 2>&1 &
  svc_pid=$!; pids+=("$svc_pid")
  for _ in $(seq 1 150); do
    curl -sf --unix-socket "$state/tapechangerd.sock" http://x/healthz >/dev/null 2>&1 && return 0
    kill -0 "$svc_pid" 2>/dev/null || { cat "$log" >&2; fail "tapechangerd exited"; }
    sleep 0.1
  done
  cat "$log" >&2; fail "tapechangerd did not answer on $state/tapechangerd.sock"
}
api() { curl -s --unix-socket "$1/tapechangerd.sock" "${@:2}"; }

echo "== 0. the systemd unit: systemd-analyze verify (ExecStart pointed at this build's tapechangerd)"
command -v systemd-analyze >/dev/null 2>&1 || { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends systemd >/dev/null 2>&1 || true; }
if command -v systemd-analyze >/dev/null 2>&1; then
  sed "s#/usr/local/lib/tapechanger/tapechangerd#${daemon[0]}#" tools/systemd/tapechanger.service >"$work/tapechanger.service"
  # verify exits 0 on unknown keys and bad values and only warns: any output is a failure.
  out=$(systemd-analyze verify "$work/tapechanger.service" 2>&1) || fail "systemd-analyze verify: $out"
  [[ -z $out ]] || fail "systemd-analyze verify tools/systemd/tapechanger.service: $out"
  echo "  tools/systemd/tapechanger.service: no warnings"
else
  echo "  SKIP: systemd-analyze not available"
fi

echo "== 1. virtual library: tapechanger serve, then the CLI through --server beside the CLI run directly"
sv=$work/served; ref=$work/direct; mkdir -p "$sv" "$ref"
TAPECHANGER_DEVICE=virtual: "${cli[@]}" serve --state-dir "$sv" >"$work/serve.log" 2>&1 &
serve_pid=$!; pids+=("$serve_pid")
for _ in $(seq 1 150); do curl -sf --unix-socket "$sv/tapechangerd.sock" http://x/healthz >/dev/null 2>&1 && break; sleep 0.1; done
[[ $(stat -c %a "$sv/tapechangerd.sock") == 660 ]] || fail "socket mode is $(stat -c %a "$sv/tapechangerd.sock"), expected 660"
while read -r line; do
  read -ra words <<<"$line"
  direct=("${words[@]}")
  [[ ${words[0]} == mtx ]] && direct=(mtx -f virtual: "${words[@]:1}")
  [[ ${words[0]} == bacula-changer ]] && direct=(bacula-changer virtual: "${words[@]:2}")
  set +e
  "${cli[@]}" --server "unix:$sv/tapechangerd.sock" "${words[@]}" >"$work/a.out" 2>"$work/a.err"; a=$?
  TAPECHANGER_STATE_DIR=$ref TAPECHANGER_DEVICE=virtual: "${cli[@]}" "${direct[@]}" >"$work/b.out" 2>"$work/b.err"; b=$?
  set -e
  [[ $a == "$b" ]] || fail "'$line': exit $a through the service, $b directly ($(cat "$work/a.err"))"
  cmp -s "$work/a.out" "$work/b.out" || { diff "$work/a.out" "$work/b.out" >&2; fail "'$line': stdout differs"; }
  cmp -s "$work/a.err" "$work/b.err" || { diff "$work/a.err" "$work/b.err" >&2; fail "'$line': stderr differs"; }
  echo "  same output and exit $a: $line"
done <<'CMDS'
status
load 1 0
mtx status
load 1 1
unload
bacula-changer default loaded 0 /dev/null 0
mtx load 2 3
status --json
CMDS
kill -TERM "$serve_pid"; wait "$serve_pid" || fail "serve did not stop cleanly on SIGTERM"
grep -q "Application is shutting down" "$work/serve.log" || true

echo "== 2. tgt library through the service"
uri=$(tools/tgt-library.sh start | tail -n 1)
st=$work/tgt; mkdir -p "$st"
start_service "$st" "$work/tgt.log" TAPECHANGER_Libraries__tgt__Device="$uri"
S="unix:$st/tapechangerd.sock"
libs=$(api "$st" http://x/api/v1/libraries)
[[ $libs == *'"name":"tgt"'* ]] || fail "library tgt not served: $libs"
"${cli[@]}" --server "$S" --device tgt load 1 0 >/dev/null || fail "load through the service on tgt"
direct=$(TAPECHANGER_STATE_DIR=$work/tgt-direct "${cli[@]}" --device "$uri" status --json)
python3 - "$direct" <<'PY' || fail "tgt: drive 0 does not hold slot 1's cartridge after the load"
import json, sys
els = json.loads(sys.argv[1])["elements"]
d0 = next(e for e in els if e["type"] == "dataTransfer" and e["drive"] == 0)
assert d0["full"] and d0["barcode"] == "A0000001", d0
PY
"${cli[@]}" --server "$S" mtx -f tgt status | grep -q "Data Transfer Element 0:Full (Storage Element 1 Loaded):VolumeTag = A0000001" || fail "mtx status on tgt"
"${cli[@]}" --server "$S" --device tgt unload >/dev/null || fail "unload through the service on tgt"
out=$(api "$st" -X POST http://x/api/v1/libraries/tgt/moves -d '{"kind":"transfer","slot":2,"toSlot":5}')
[[ $out == *'"state":"Passed"'* ]] || fail "API transfer on tgt: $out"
"${cli[@]}" --server "$S" --device tgt status | grep -qE "slot +5 .*A0000002" || fail "tgt: slot 5 should hold A0000002"
echo "  load, mtx status, unload, API transfer through the service on $uri"
kill -TERM "$svc_pid"; wait "$svc_pid" || true

# clients SERVER DEVICE SLOTS DRIVES: 8 client processes, 50 mixed requests each (status, load, unload, transfer,
# inventory), every one a CLI process through --server. Each request ends passed (exit 0) or refused with its reason
# (exit 1, one line: source empty, destination full); the cartridges before and after are the same set.
clients() {
  local server=$1 device=$2 slots=$3 drives=$4 dir=$work/clients-$2
  local dev=(--device "$device"); [ "$device" = default ] && dev=()
  mkdir -p "$dir"
  barcodes() { "${cli[@]}" --server "$server" "${dev[@]}" status --json | python3 -c '
import json, sys
print(sorted(e["barcode"] or "?" for e in json.load(sys.stdin)["elements"] if e["full"]))'; }
  local before; before=$(barcodes)
  local waits=()
  for c in 0 1 2 3 4 5 6 7; do
    (
      for j in $(seq 0 49); do
        n=$((c * 50 + j)); a=$((1 + (c * 7 + j) % slots)); b=$((1 + (c * 3 + j * 5) % slots)); d=$(((c + j) % drives))
        [ "$b" = "$a" ] && b=$((a % slots + 1))
        case $((n % 5)) in
          0) req=(status) ;;
          1) req=(load "$a" "$d") ;;
          2) req=(unload); [ "$d" = 0 ] || req=(unload "$a" "$d") ;;
          3) req=(transfer "$a" "$b") ;;
          4) req=(inventory) ;;
        esac
        rc=0; "${cli[@]}" --server "$server" "${dev[@]}" "${req[@]}" >/dev/null 2>"$dir/$n.err" || rc=$?
        echo "$rc ${req[*]}" >"$dir/$n.rc"
      done
    ) &
    waits+=($!)
  done
  wait "${waits[@]}"                # the clients only: the service is a child of this shell too
  local bad=0 passed=0 refused=0
  for f in "$dir"/*.rc; do
    read -r rc what <"$f"; n=$(basename "$f" .rc)
    lines=$(wc -l <"$dir/$n.err")
    if [ "$rc" = 0 ]; then passed=$((passed + 1))
    elif [ "$rc" = 1 ] && [ "$lines" = 1 ]; then refused=$((refused + 1))
    else bad=$((bad + 1)); echo "  request $n ($what): exit $rc: $(cat "$dir/$n.err")" >&2
    fi
  done
  [ "$((passed + refused + bad))" = 400 ] || fail "$device: $((passed + refused + bad)) of 400 requests ended"
  [ "$bad" = 0 ] || fail "$device: $bad requests ended neither passed nor refused with one line"
  local after; after=$(barcodes)
  [ "$before" = "$after" ] || fail "$device: cartridges not conserved: before $before, after $after"
  echo "  $device: 8 client processes x 50 requests: $passed passed, $refused refused with their reason; cartridges conserved"
}

echo "== 2b. 8 client processes x 50 mixed requests through one service, on the virtual library and on tgt"
mc=$work/many; mkdir -p "$mc"
start_service "$mc" "$work/many.log" TAPECHANGER_Libraries__tgt__Device="$uri" TAPECHANGER_DEVICE=virtual:
clients "unix:$mc/tapechangerd.sock" default 20 2
clients "unix:$mc/tapechangerd.sock" tgt 10 2
kill -TERM "$svc_pid"; wait "$svc_pid" || true

echo "== 2c. one tgt library, the service and CLI processes without --server: never two MOVE MEDIUMs at once"
# The service (API transfers) and direct CLI processes (same state directory, so the same robot lock) move on one
# library at once; every process appends its SCSI commands and its robot lock holds to one ScsiLog with start and
# end times. tgt itself runs one command at a time, so the holds are what shows the lock working.
one=$work/one; mkdir -p "$one"; slog=$one/scsi.log
start_service "$one" "$work/one.log" TAPECHANGER_Libraries__tgt__Device="$uri" TAPECHANGER_ScsiLog="$slog"
barcodes_tgt() { TAPECHANGER_STATE_DIR=$one "${cli[@]}" --device "$uri" status --json | python3 -c '
import json, sys
print(sorted(e["barcode"] or "?" for e in json.load(sys.stdin)["elements"] if e["full"]))'; }
before=$(barcodes_tgt)
waits=()
for c in 0 1 2 3; do
  (
    for j in $(seq 0 7); do
      a=$((1 + (c * 3 + j) % 10)); b=$((1 + (c * 7 + j * 3 + 1) % 10)); [ "$a" = "$b" ] && b=$((a % 10 + 1))
      code=$(curl -s -o "$one/api-$c-$j.json" -w '%{http_code}' --unix-socket "$one/tapechangerd.sock" -X POST \
        http://x/api/v1/libraries/tgt/moves -d "{\"kind\":\"transfer\",\"slot\":$a,\"toSlot\":$b}")
      echo "$code" >"$one/api-$c-$j.code"
      rc=0; TAPECHANGER_STATE_DIR=$one TAPECHANGER_ScsiLog=$slog "${cli[@]}" --device "$uri" transfer "$b" "$a" \
        >/dev/null 2>"$one/cli-$c-$j.err" || rc=$?
      echo "$rc" >"$one/cli-$c-$j.rc"
    done
  ) &
  waits+=($!)
done
wait "${waits[@]}"
for f in "$one"/api-*.code; do
  code=$(cat "$f"); body=$(cat "${f%.code}.json")
  [[ $code == 200 || ( $code == 409 && $body == *'"state":"Failed"'* && $body == *'"message":'* ) ]] || fail "API transfer ($f): $code $body"
done
for f in "$one"/cli-*.rc; do
  rc=$(cat "$f"); err=${f%.rc}.err
  [[ $rc == 0 || ( $rc == 1 && $(wc -l <"$err") == 1 ) ]] || fail "direct CLI transfer ($f): exit $rc: $(cat "$err")"
done
[[ $(barcodes_tgt) == "$before" ]] || fail "tgt: cartridges not conserved with the service and the CLI moving"
kill -TERM "$svc_pid"; wait "$svc_pid" || true
moves=$(python3 tools/lib/scsi_log_check.py overlap "$slog" "$svc_pid" 2>&1) || fail "robot moves not one at a time, or not both the service and the CLI moved: $moves"
echo "  32 API and 32 direct CLI transfers at once: each passed or refused with its reason; cartridges conserved; one at a time ($moves)"

echo "== 2d. virtual library: a direct CLI move waits while the service's move holds the library"
hold=$work/hold; mkdir -p "$hold"; hlog=$hold/scsi.log
TAPECHANGER_STATE_DIR=$hold TAPECHANGER_DEVICE=virtual: "${cli[@]}" status >/dev/null
start_service "$hold" "$work/hold.log" TAPECHANGER_DEVICE=virtual: TAPECHANGER_ScsiLog="$hlog"
# MOVE MEDIUM answers BUSY for 5 s: the service's transfer is in process (retrying) that long.
TAPECHANGER_STATE_DIR=$hold TAPECHANGER_DEVICE=virtual: "${cli[@]}" virtual fault add busy --command "MOVE MEDIUM" --for 5 >/dev/null
r=$(api "$hold" -X POST http://x/api/v1/libraries/default/moves -d '{"kind":"transfer","slot":1,"toSlot":24,"wait":false}')
id=$(python3 -c 'import json,sys; print(json.loads(sys.argv[1])["id"])' "$r") || fail "transfer not acknowledged: $r"
sleep 0.5
t0=$(date +%s.%N)
TAPECHANGER_STATE_DIR=$hold TAPECHANGER_DEVICE=virtual: TAPECHANGER_ScsiLog=$hlog "${cli[@]}" transfer 2 25 >/dev/null 2>"$hold/cli.err" \
  || fail "direct CLI transfer while the service moved: $(cat "$hold/cli.err")"
waited=$(python3 -c "import sys; print(f'{float(sys.argv[2]) - float(sys.argv[1]):.1f}')" "$t0" "$(date +%s.%N)")
state=$(api "$hold" "http://x/api/v1/requests/$id" | python3 -c 'import json,sys; print(json.load(sys.stdin)["state"])')
kill -TERM "$svc_pid"; wait "$svc_pid" || true
[[ $state == Passed ]] || fail "the service's transfer ended $state"
order=$(python3 tools/lib/scsi_log_check.py after "$hlog" "$svc_pid") || fail "the CLI did not wait for the service's move: $order"
python3 -c "import sys; sys.exit(0 if float(sys.argv[1]) >= 2 else 1)" "$waited" || fail "the direct CLI transfer took $waited s: it did not wait"
echo "  the direct CLI transfer waited ${waited} s and moved after the service: $order"

echo "== 3. kill -9 in the middle of a queue, restart: nothing acknowledged lost, each request run once"
kq=$work/kill; mkdir -p "$kq"
before=$(TAPECHANGER_STATE_DIR=$kq TAPECHANGER_DEVICE=virtual: "${cli[@]}" status --json)
# The library answers BUSY to MOVE MEDIUM for 8 s: the first transfer is in process (backing off) when the kill comes.
TAPECHANGER_STATE_DIR=$kq TAPECHANGER_DEVICE=virtual: "${cli[@]}" virtual fault add busy --command "MOVE MEDIUM" --for 8 >/dev/null
start_service "$kq" "$work/kill.log" TAPECHANGER_DEVICE=virtual:
ids=()
# In process at the kill: 1 -> 24. Queued behind it: a chain 2 -> 25 -> 26 -> 27 -> 28, which ends in slot 28 only
# if each of its four requests runs exactly once.
for step in "1 24" "2 25" "25 26" "26 27" "27 28"; do
  read -r from to <<<"$step"
  r=$(api "$kq" -X POST "http://x/api/v1/libraries/default/moves" -d "{\"kind\":\"transfer\",\"slot\":$from,\"toSlot\":$to,\"wait\":false}")
  id=$(python3 -c 'import json,sys; print(json.loads(sys.argv[1])["id"])' "$r") || fail "transfer $from -> $to not acknowledged: $r"
  ids+=("$id")
done
sleep 1
state=$(api "$kq" "http://x/api/v1/requests/${ids[0]}" | python3 -c 'import json,sys; print(json.load(sys.stdin)["state"])')
[[ $state == InProcess ]] || fail "the first transfer is $state at the kill, not InProcess (the BUSY fault did not hold it)"
echo "  5 transfers acknowledged; the first is InProcess (the library answers BUSY); kill -9"
kill -9 "$svc_pid"; wait "$svc_pid" 2>/dev/null || true
start_service "$kq" "$work/kill.log" TAPECHANGER_DEVICE=virtual:
for _ in $(seq 1 300); do
  open=$(api "$kq" "http://x/api/v1/requests?open=true" | python3 -c 'import json,sys; print(len(json.load(sys.stdin)["requests"]))')
  [[ $open == 0 ]] && break; sleep 0.1
done
[[ $open == 0 ]] || fail "$open requests still open 30 s after the restart"
records=$(for id in "${ids[@]}"; do api "$kq" "http://x/api/v1/requests/$id"; echo; done)
after=$(TAPECHANGER_STATE_DIR=$kq TAPECHANGER_DEVICE=virtual: "${cli[@]}" status --json)
python3 - "$before" "$after" "$records" <<'PY' || fail "after the restart: a request lost, run twice, or a cartridge lost"
import json, sys
before, after = (json.loads(a)["elements"] for a in sys.argv[1:3])
recs = [json.loads(l) for l in sys.argv[3].splitlines() if l.strip()]
slot = lambda els: {e["slot"]: e for e in els if e["type"] == "storage"}
b, a = slot(before), slot(after)
first, chain = recs[0], recs[1:]
# The move in process at the kill is reconciled from what the library holds, never re-sent blindly.
if first["state"] == "Passed":
    assert a[24]["barcode"] == b[1]["barcode"] and not a[1]["full"], "first passed but the cartridge is not in 24"
else:
    assert first["state"] == "Failed" and "restart" in first["message"], first
    assert a[1]["barcode"] == b[1]["barcode"] and not a[24]["full"], "first failed but slot 1 / 24 changed"
assert all(r["state"] == "Passed" for r in chain), [(r["arguments"], r["state"], r.get("message")) for r in chain]
assert a[28]["barcode"] == b[2]["barcode"] and not any(a[s]["full"] for s in (2, 25, 26, 27)), "the chain did not end in slot 28"
n = lambda els: sum(e["full"] for e in els)
assert n(before) == n(after), f"{n(before)} cartridges before, {n(after)} after"
print(f"  in process at the kill: {first['state']} ({first.get('message')}); the 4 queued requests ran once each "
      f"(slot 2's {b[2]['barcode']} is in slot 28); {n(after)} cartridges before and after")
PY

echo "== 4. load: 50 concurrent clients asking for status"
res=$(python3 tools/lib/service_load.py http "$kq/tapechangerd.sock" /api/v1/libraries/default/status 50 5)
echo "$res" | grep -v RESULT
read -r _ rps p99 errs <<<"$(echo "$res" | grep RESULT)"
# The CLI figures are a process per request: with dotnet (not NativeAOT) start-up dominates, so fewer clients.
clients=50; [[ ${cli[0]} == dotnet ]] && clients=8
python3 tools/lib/service_load.py exec "$clients" 3 -- "${cli[@]}" --server "unix:$kq/tapechangerd.sock" status | grep -v RESULT
TAPECHANGER_STATE_DIR=$kq TAPECHANGER_DEVICE=virtual: python3 tools/lib/service_load.py exec "$clients" 3 -- "${cli[@]}" status | grep -v RESULT
kill -TERM "$svc_pid"; wait "$svc_pid" || true
[[ $errs == 0 ]] || fail "$errs status requests failed under load"
# The floor fails the tier; the p99 target is reported (the load generator shares the machine's cores with the
# service, so its own scheduling shows in the tail).
python3 -c "import sys; sys.exit(0 if float(sys.argv[1]) >= 1000 else 1)" "$rps" || fail "the API held $rps requests/s (target: at least 1000/s)"
if python3 -c "import sys; sys.exit(0 if float(sys.argv[1]) < 20 else 1)" "$p99"; then
  echo "  target met: $rps requests/s, p99 $p99 ms < 20 ms"
else
  echo "  WARNING: $rps requests/s, but p99 $p99 ms is over the 20 ms target on this machine ($(nproc) cores shared with the load generator)"
fi
echo "service-tier: passed"
