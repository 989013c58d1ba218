#!/usr/bin/env bash
# Fleet tier: three tapechangerd services sharing one PostgreSQL database (a throw-away initdb cluster on loopback),
# one tgt library over iSCSI and five virtual libraries.
#   1. Every library gets exactly one owner (GET /api/v1/fleet on any service shows the same table). The CLI's --server
#      and a status read sent to a service that does not own the library are answered by the owner (the read at once,
#      while the owner's move waits out BUSY).
#   2. Three clients send transfers to random services for random libraries while:
#      a. the owner of virtual library v1 is killed (kill -9) in the middle of a move (the library answers BUSY to
#         MOVE MEDIUM for a while, so the move is in process at the kill); another service takes v1 over (time printed,
#         target 10 s) and reconciles the move from its journal; the killed service is started again;
#      b. the owner of the tgt library is killed -9 mid-stream and taken over the same way;
#      c. every service's database connections are terminated (pg_terminate_backend), then the server is restarted;
#      d. (after the clients) v2's owner is stopped (SIGSTOP) while a move waits out BUSY; v2 is taken over; the
#         stopped owner is resumed (SIGCONT) and sends no further MOVE MEDIUM (self-fencing by time: its lease, as the
#         database last confirmed it, has run out and cannot be extended). Counted in the shared SCSI log.
#   3. At the end: every acknowledged request passed or failed/cancelled with its reason, cartridges conserved per
#      library, at most one journal Moving entry per request (no move started twice), fencing tokens in order.
#   4. db check, db backup (a dump, services running), db restore refused (exit 75) while services hold leases, then
#      forced: every library is taken again under a larger fencing token and db check still passes.
# Binaries: SVC_BIN (a folder with tapechanger and tapechangerd, e.g. artifacts/aot), else the Release build.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD
if ! command -v tgtd >/dev/null 2>&1; then
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends tgt >/dev/null
fi
# shellcheck source=lib/svc_bin.sh
source tools/lib/svc_bin.sh
svc_binaries
# shellcheck source=lib/postgres.sh
source tools/lib/postgres.sh
work=$(mktemp -d /tmp/tapechanger-fleet-tier.XXXXXX)
chmod 755 "$work"
export TGT_STATE_FILE=$work/tgt.state
declare -A pid
cleanup() {
  for p in "${pid[@]}"; do kill -9 "$p" 2>/dev/null || true; done
  tools/tgt-library.sh stop >/dev/null 2>&1 || true
  pg_stop
  rm -rf "$work"
}
trap cleanup EXIT
fail() { echo "fleet-tier: FAIL: $*" >&2; for n in A B C; do echo "--- $n" >&2; tail -n 15 "$work/$n.log" >&2 || true; done; exit 1; }
drv() { python3 tools/lib/fleet_tier.py "$@"; }

pg_start "$work/pg"
pg_sql "CREATE DATABASE fleet" >/dev/null
db="postgresql://postgres@127.0.0.1:$PG_PORT/fleet"
echo "== PostgreSQL $("$PG_BIN/postgres" --version | awk '{print $3}') on 127.0.0.1:$PG_PORT (initdb in $work/pg)"

uri=$(tools/tgt-library.sh start | tail -n 1)
# The built-in virtual library (default) and four more (mhVTL's library 10, each its own serial); their state is in the shared state folder the
# three services use, as a shared library's state is in the library itself.
shared=$work/state; mkdir -p "$shared"
# Moves on tgt and the virtual libraries take milliseconds: a 4 s move budget fits in the 6 s lease (no extension per
# move), so a killed owner is taken over within the lease, as a site with fast robots would configure it.
libs=tgt,default; envs=(TAPECHANGER_Device=virtual: TAPECHANGER_Libraries__tgt__Device="$uri" TAPECHANGER_Fleet__MoveBudgetSeconds=4 TAPECHANGER_ScsiLog="$work/scsi.log")
for i in 1 2 3 4; do
  d=$work/v$i; mkdir -p "$d"; cp hw-profiles/mhvtl/library10/* "$d/"
  sed -i "s/Unit serial number: XYZZY_A/Unit serial number: FLEETV$i/" "$d/device.conf"
  libs=$libs,v$i; envs+=(TAPECHANGER_Libraries__v${i}__Device="virtual:$d")
done
slots="tgt=10,default=39,v1=39,v2=39,v3=39,v4=39"

# start NAME: tapechangerd NAME on $work/NAME.sock and a loopback port (its Fleet:Url), state in the shared database.
declare -A port
for n in A B C; do port[$n]=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'); done
start() {
  local n=$1
  env "${envs[@]}" TAPECHANGER_Fleet__Name="$n" TAPECHANGER_Fleet__Url="http://127.0.0.1:${port[$n]}" "${daemon[@]}" --state-dir "$shared" \
    --listen "unix:$work/$n.sock" --listen "http://127.0.0.1:${port[$n]}" --database "$db" >>"$work/$n.log" 2>&1 &
  pid[$n]=$!; disown "${pid[$n]}"
  for _ in $(seq 1 200); do
    curl -sf --unix-socket "$work/$n.sock" http://x/healthz >/dev/null 2>&1 && return 0
    kill -0 "${pid[$n]}" 2>/dev/null || fail "service $n exited"
    sleep 0.1
  done
  fail "service $n did not answer"
}
owner() { drv owners "$work/$2.sock" "$1" 20 | cut -d= -f2; }

echo "== 1. three services, one owner per library"
for n in A B C; do start "$n"; done
# The first service takes every library and hands the ones above its fair share (6 libraries / 3 services: 2) over
# as the others join: wait until the share has settled, then the three must show the same table.
settled=
for _ in $(seq 1 30); do
  drv owners "$work/A.sock" "$libs" 30 >"$work/owners" || fail "not every library got an owner"
  most=$(cut -d= -f2 "$work/owners" | sort | uniq -c | sort -rn | awk 'NR == 1 {print $1}')
  if [[ $most -le 2 ]] && drv owners "$work/B.sock" "$libs" 5 | cmp -s - "$work/owners" && drv owners "$work/C.sock" "$libs" 5 | cmp -s - "$work/owners"; then
    settled=1; break
  fi
  sleep 1
done
[[ -n $settled ]] || fail "the libraries were not shared out (at most 2 each), or the services show different owners: $(tr '\n' ' ' <"$work/owners")"
echo "  $(tr '\n' ' ' <"$work/owners")(same table on A, B and C)"
# The CLI's --server naming a service that does not own the library: the command is passed on to the owner.
token=$(TAPECHANGER_DATABASE=$db TAPECHANGER_STATE_DIR=$shared "${cli[@]}" token create --name fleet-tier --role admin 2>/dev/null | head -n 1)
v3=$(grep '^v3=' "$work/owners" | cut -d= -f2); asked=A; [[ $v3 == A ]] && asked=B
"${cli[@]}" --server "http://127.0.0.1:${port[$asked]}" --token "$token" --device v3 status >/dev/null || fail "status of v3 through $asked (not its owner)"
grep -q "POST /api/v1/cli 200 .*caller=token:fleet-tier" "$work/$v3.log" || fail "the command sent to $asked did not run on v3's owner $v3"
echo "  tapechanger --server (service $asked) --device v3 status ran on v3's owner $v3"
# A status read sent to a service that does not own the library while the owner is in a move (its MOVE MEDIUM answered
# BUSY for 6 s holds the library's session): the owner's answer, at once, read on the owner as the caller.
TAPECHANGER_STATE_DIR=$shared "${cli[@]}" --device "virtual:$work/v3" virtual fault add busy --command "MOVE MEDIUM" --for 6 >/dev/null
drv submit "$work/acked" "$work/$v3.sock" v3 1 39
held=$(tail -n 1 "$work/acked" | python3 -c 'import json, sys; print(json.load(sys.stdin)["id"])')
state() { curl -s --unix-socket "$work/$v3.sock" "http://x/api/v1/requests/$held" | python3 -c 'import json, sys; print(json.load(sys.stdin)["state"])'; }
for _ in $(seq 1 50); do [[ $(state) == InProcess ]] && break; sleep 0.1; done
sleep 1
t0=$(date +%s.%N)
code=$(curl -s -o "$work/v3.status" -D "$work/v3.headers" -w '%{http_code}' -H "Authorization: Bearer $token" "http://127.0.0.1:${port[$asked]}/api/v1/libraries/v3/status")
took=$(python3 -c 'import sys, time; print(f"{time.time() - float(sys.argv[1]):.2f}")' "$t0")
during=$(state)
served=$(awk -F': ' 'tolower($1) == "x-tapechanger-served-by" {print $2}' "$work/v3.headers" | tr -d '\r')
[[ $code == 200 ]] || fail "status of v3 at $asked while $v3 moves: HTTP $code $(head -c 300 "$work/v3.status")"
[[ $during == InProcess ]] || fail "v3's transfer was $during after the status read (the owner's move did not hold the library)"
[[ $served == "$v3" ]] || fail "status of v3 at $asked: served by '$served', expected the owner $v3"
python3 -c 'import json, sys; d = json.load(open(sys.argv[1])); sys.exit(0 if d["online"] and d["status"] and d["queueDepth"] >= 1 else 1)' "$work/v3.status" \
  || fail "status of v3 at $asked: not the owner's (online, elements, queue): $(head -c 300 "$work/v3.status")"
python3 -c 'import sys; sys.exit(0 if float(sys.argv[1]) <= 3 else 1)' "$took" || fail "status of v3 at $asked took $took s while $v3 moved"
grep -q "GET /api/v1/libraries/v3/status 200 .*caller=token:fleet-tier" "$work/$v3.log" || fail "the status read sent to $asked was not answered by v3's owner $v3"
echo "  GET v3/status at $asked (not the owner) during $v3's BUSY move: 200 in $took s, served by $v3 (online, queue $(python3 -c 'import json, sys; print(json.load(open(sys.argv[1]))["queueDepth"])' "$work/v3.status"))"
for _ in $(seq 1 300); do [[ $(state) == InProcess || $(state) == Queued ]] || break; sleep 0.1; done
# The same on tgt (its robot moves in milliseconds, so only the passing on is shown): the owner's view, as the caller.
tgt_owner=$(grep '^tgt=' "$work/owners" | cut -d= -f2); tgt_asked=A; [[ $tgt_owner == A ]] && tgt_asked=B
code=$(curl -s -o "$work/tgt.status" -D "$work/tgt.headers" -w '%{http_code}' -H "Authorization: Bearer $token" "http://127.0.0.1:${port[$tgt_asked]}/api/v1/libraries/tgt/status")
served=$(awk -F': ' 'tolower($1) == "x-tapechanger-served-by" {print $2}' "$work/tgt.headers" | tr -d '\r')
[[ $code == 200 && $served == "$tgt_owner" ]] || fail "status of tgt at $tgt_asked: HTTP $code served by '$served' (owner $tgt_owner)"
grep -q "GET /api/v1/libraries/tgt/status 200 .*caller=token:fleet-tier" "$work/$tgt_owner.log" || fail "the tgt status read sent to $tgt_asked was not answered by its owner $tgt_owner"
echo "  GET tgt/status at $tgt_asked (not the owner): 200, served by $tgt_owner"
before=$(drv cartridges "$work/A.sock" "$libs") || fail "status"
socks="$work/A.sock,$work/B.sock,$work/C.sock"

echo "== 2. three clients for 40 s; kill -9 owners mid-move, connections dropped, server restarted"
drv stream "$work/acked" 40 3 "$socks" "$libs" "$slots" &
stream=$!
sleep 4
# a. v1's owner killed while a move is in process (BUSY for 6 s holds it there).
TAPECHANGER_STATE_DIR=$shared "${cli[@]}" --device "virtual:$work/v1" virtual fault add busy --command "MOVE MEDIUM" --for 6 >/dev/null
victim=$(owner v1 A)
sleep 1.5
t0=$(date +%s.%N)
kill -9 "${pid[$victim]}"; unset "pid[$victim]"
other=A; [[ $victim == A ]] && other=B
took=$(drv newowner "$work/$other.sock" v1 "$victim" 30) || fail "v1 not taken over after the owner's kill"
echo "  a. v1's owner $victim killed mid-move; taken over by $(owner v1 "$other") after ${took} s"
python3 -c "import sys; sys.exit(0 if float(sys.argv[1]) <= 10 else 1)" "$took" || fail "takeover took $took s (target 10 s)"
start "$victim"
sleep 4
# b. tgt's owner killed mid-stream.
victim=$(owner tgt A); other=A; [[ $victim == A ]] && other=B
kill -9 "${pid[$victim]}"; unset "pid[$victim]"
took=$(drv newowner "$work/$other.sock" tgt "$victim" 30) || fail "tgt not taken over after the owner's kill"
echo "  b. tgt's owner $victim killed; taken over by $(owner tgt "$other") after ${took} s"
start "$victim"
sleep 3
# c. the database drops every service's connections, then goes away for 3 s and comes back.
n=$(pg_sql "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity WHERE datname = 'fleet' AND backend_type = 'client backend' AND pid <> pg_backend_pid()")
echo "  c. $n database connections terminated"
sleep 3
_pg_as "$PG_BIN/pg_ctl" -D "$PG_DIR/data" -m fast stop >/dev/null
sleep 3
_pg_as "$PG_BIN/pg_ctl" -D "$PG_DIR/data" -w -l "$PG_DIR/server.log" \
  -o "-k $PG_DIR -c listen_addresses=127.0.0.1 -p $PG_PORT -c max_connections=400 -c fsync=off" start >/dev/null
echo "     server stopped for 3 s and started again"
wait "$stream"
drv owners "$work/A.sock" "$libs" 30 >/dev/null || fail "not every library has an owner again after the database came back"
# d. a stopped owner resumed after the takeover sends no MOVE MEDIUM (SCSI log lines: start, end, pid, device, command, status).
victim=$(owner v2 A); other=A; [[ $victim == A ]] && other=B
TAPECHANGER_STATE_DIR=$shared "${cli[@]}" --device "virtual:$work/v2" virtual fault add busy --command "MOVE MEDIUM" --for 12 >/dev/null
drv submit "$work/acked" "$work/$victim.sock" v2 4 39
moves() { awk -F'\t' -v p="${pid[$victim]}" -v d="virtual:$work/v2" '$3 == p && $4 == d && $5 == "MOVE MEDIUM"' "$work/scsi.log" | wc -l; }
busy() { awk -F'\t' -v p="${pid[$victim]}" -v d="virtual:$work/v2" '$3 == p && $4 == d && $5 == "MOVE MEDIUM" && $6 == "Busy"' "$work/scsi.log" | wc -l; }
sleep 2.5
kill -STOP "${pid[$victim]}"
before_stop=$(moves)
took=$(drv newowner "$work/$other.sock" v2 "$victim" 30) || fail "v2 not taken over while its owner was stopped"
sleep 1
kill -CONT "${pid[$victim]}"
sleep 6
after_cont=$(moves)
held=$(busy)
(( held > 0 )) || fail "v2's owner $victim had met no BUSY MOVE MEDIUM before it was stopped (the scenario did not hold a move)"
(( after_cont == before_stop )) || fail "v2's stopped owner $victim sent $((after_cont - before_stop)) MOVE MEDIUM after it was resumed"
how="its picker was stopped by the renewal that found the lease gone"
grep -q "library v2: .*the move was not sent" "$work/$victim.log" && how="its resend was refused: $(grep -o "has less than the move's time budget ([0-9.]* s) left and could not be extended; the move was not sent" "$work/$victim.log" | tail -n 1)"
echo "  d. v2's owner $victim stopped mid-move (its MOVE MEDIUM answered BUSY $held times), taken over after ${took} s, resumed: no MOVE MEDIUM after ($how)"

echo "== 3. every acknowledged request final and run once; cartridges conserved; fencing tokens in order"
pg_sql "SELECT 1" >/dev/null
PG_DB=fleet pg_sql "SELECT library, seq, token, request_id, step FROM move_journal ORDER BY library, seq" >"$work/journal.0"
drv check "$socks" "$work/acked" "$before" "$work/journal.0" 60 >"$work/check" 2>&1 || { cat "$work/check" >&2; fail "end state"; }
PG_DB=fleet pg_sql "SELECT library, seq, token, request_id, step FROM move_journal ORDER BY library, seq" >"$work/journal"
drv check "$socks" "$work/acked" "$before" "$work/journal" 5 || fail "end state"

echo "== 4. db check, backup and restore on PostgreSQL"
dbcli() { TAPECHANGER_DATABASE=$db TAPECHANGER_STATE_DIR=$shared "${cli[@]}" "$@"; }
dbcli db check | grep -q "^integrity: ok" || fail "db check: $(dbcli db check 2>&1 | tail -n 2)"
dbcli db backup "$work/state.jsonl" >/dev/null || fail "db backup"
rc=0; out=$(dbcli db restore "$work/state.jsonl" 2>&1) || rc=$?
[[ $rc == 75 ]] || fail "db restore while services hold leases: exit $rc, expected 75 ($out)"
echo "  db check ok; db backup: $(head -c 60 "$work/state.jsonl")... ($(wc -l <"$work/state.jsonl") lines); db restore refused (exit 75): $out"
tokens() { PG_DB=fleet pg_sql "SELECT library || '=' || token FROM library_leases ORDER BY library" | tr '\n' ' '; }
was=$(tokens)
dbcli db restore --force "$work/state.jsonl" >/dev/null || fail "db restore --force"
drv owners "$work/A.sock" "$libs" 30 >/dev/null || fail "not every library has an owner again after the restore"
now=$(tokens)
python3 - "$was" "$now" <<'PY' || fail "fencing tokens after the restore: before $was, after $now"
import sys
was = dict(kv.split("=") for kv in sys.argv[1].split()); now = dict(kv.split("=") for kv in sys.argv[2].split())
assert all(int(now[l]) > int(t) for l, t in was.items()), (was, now)
PY
dbcli db check | grep -q "^integrity: ok" || fail "db check after the restore"
echo "  db restore --force: every library taken again under a larger fencing token ($now); db check ok"
for n in A B C; do grep -qE "Unhandled exception|   at " "$work/$n.log" && fail "service $n printed a stack trace"; done
echo "fleet-tier: passed"
