#!/usr/bin/env bash
# Fleet measurements (not a CI tier; figures for docs/fleet.md): three services on one PostgreSQL database serving
# N virtual libraries (default 300). Measured: time until every library is leased and shared out; the database's
# work at idle (transactions/s, lease-row updates/s, PostgreSQL CPU) per library; request throughput through the
# three services; the time until another service has taken over every library of a service killed -9.
#   FLEET_LIBRARIES [300]  FLEET_ROUNDS [2] (transfer pairs per library)  PG_FSYNC [on]
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD
N=${FLEET_LIBRARIES:-300}; rounds=${FLEET_ROUNDS:-2}
export PG_FSYNC=${PG_FSYNC:-on}
if [[ -n ${SVC_BIN:-} && -x $SVC_BIN/tapechangerd ]]; then daemon=("$SVC_BIN/tapechangerd")
else
  bin=src/TapeChanger.Server/bin/Release/net10.0
  [[ -f $bin/tapechangerd.dll ]] || dotnet build src/TapeChanger.Server -c Release -nologo -v quiet
  daemon=("$root/$bin/tapechangerd")
fi
source tools/lib/postgres.sh
work=$(mktemp -d /tmp/tapechanger-fleet-bench.XXXXXX); chmod 755 "$work"
declare -A pid
cleanup() { for p in "${pid[@]}"; do kill -9 "$p" 2>/dev/null || true; done; pg_stop; rm -rf "$work"; }
trap cleanup EXIT
b() { python3 tools/lib/fleet_bench.py "$@"; }

pg_start "$work/pg"; pg_sql "CREATE DATABASE fleet" >/dev/null
db="postgresql://postgres@127.0.0.1:$PG_PORT/fleet"
shared=$work/state; mkdir -p "$shared"
envs=(TAPECHANGER_Device= TAPECHANGER_Fleet__MoveBudgetSeconds=4); libs=""   # virtual moves take milliseconds: no lease extension per move
for i in $(seq 1 "$N"); do
  d=$work/lib/v$i; mkdir -p "$d"; cp hw-profiles/mhvtl/library10/* "$d/"
  sed -i "s/Unit serial number: XYZZY_A/Unit serial number: BENCH$i/" "$d/device.conf"
  envs+=(TAPECHANGER_Libraries__v${i}__Device="virtual:$d"); libs=$libs${libs:+,}v$i
done
start() {
  env "${envs[@]}" TAPECHANGER_Fleet__Name="$1" "${daemon[@]}" --state-dir "$shared" --listen "unix:$work/$1.sock" --database "$db" >>"$work/$1.log" 2>&1 &
  pid[$1]=$!; disown "${pid[$1]}"
  for _ in $(seq 1 600); do curl -sf --unix-socket "$work/$1.sock" http://x/healthz >/dev/null 2>&1 && return 0; sleep 0.1; done
  echo "service $1 did not answer" >&2; tail "$work/$1.log" >&2; exit 1
}
pgcpu() { # CPU seconds used by every process of the cluster so far
  local t=0; for p in $(pgrep -u "$PG_USER" postgres); do read -r u s < <(awk '{print $14, $15}' "/proc/$p/stat" 2>/dev/null || echo "0 0"); t=$((t + u + s)); done
  python3 -c "import os,sys; print(int(sys.argv[1]) / os.sysconf('SC_CLK_TCK'))" "$t"
}
stats() { PG_DB=fleet pg_sql "SELECT xact_commit + xact_rollback FROM pg_stat_database WHERE datname = 'fleet'"; }
leaseupd() { PG_DB=fleet pg_sql "SELECT n_tup_upd FROM pg_stat_user_tables WHERE relname = 'library_leases'"; }

echo "== $N virtual libraries, 3 services, PostgreSQL $("$PG_BIN/postgres" --version | awk '{print $3}') (fsync=$PG_FSYNC) on $(nproc) cores"
for n in A B C; do start "$n"; done
read -r secs owners <<<"$(b leased "$work/A.sock" "$N" 300)"
echo "  every library leased after $secs s: $owners"
sleep 20    # let the share settle
echo "  after settling: $(b leased "$work/A.sock" "$N" 10 | cut -d' ' -f2-)"

echo "== idle: 30 s of lease renewal, heartbeats and polls"
x0=$(stats); u0=$(leaseupd); c0=$(pgcpu); sleep 30; x1=$(stats); u1=$(leaseupd); c1=$(pgcpu)
python3 - "$N" "$x0" "$x1" "$u0" "$u1" "$c0" "$c1" <<'PY'
import sys
n, x0, x1, u0, u1, c0, c1 = int(sys.argv[1]), *map(float, sys.argv[2:])
print(f"  {(x1-x0)/30:.1f} transactions/s, {(u1-u0)/30:.0f} lease-row updates/s ({(u1-u0)/30/n:.2f} per library per s), "
      f"PostgreSQL CPU {100*(c1-c0)/30:.1f} % of one core ({1000*(c1-c0)/30/n:.3f} ms CPU per library per s)")
PY
# One renewal as a service sends it: one UPDATE for the ~N/3 leases a service holds.
owner=$(PG_DB=fleet pg_sql "SELECT owner FROM library_leases GROUP BY owner ORDER BY count(*) DESC LIMIT 1")
held=$(PG_DB=fleet pg_sql "SELECT count(*) FROM library_leases WHERE owner = '$owner'")
renew="UPDATE library_leases SET expires_ms = expires_ms WHERE owner = '$owner' AND expires_ms > 0 RETURNING library, token"
ms=$( { echo '\timing on'; for _ in $(seq 1 50); do echo "$renew;"; done; } | PG_DB=fleet _pg_as "$PG_BIN/psql" -h 127.0.0.1 -p "$PG_PORT" -U postgres -d fleet -qAtX 2>&1 | sed -n 's/^Time: \([0-9.]*\) ms.*/\1/p' | sort -n | awk '{a[NR]=$1} END {print a[int(NR/2)+1], a[int(NR*0.99)]}')
echo "  one renewal UPDATE of $held leases (psql, loopback): p50 / p99 ${ms/ / \/ } ms"

echo "== throughput: $rounds transfer pairs per library through the 3 services"
x0=$(stats); c0=$(pgcpu); t0=$(date +%s.%N)
b throughput "$work/A.sock,$work/B.sock,$work/C.sock" "$libs" "$rounds" 12
x1=$(stats); c1=$(pgcpu); t1=$(date +%s.%N)
python3 - "$N" "$rounds" "$x0" "$x1" "$c0" "$c1" "$t0" "$t1" <<'PY'
import sys
n, rounds, x0, x1, c0, c1, t0, t1 = int(sys.argv[1]), int(sys.argv[2]), *map(float, sys.argv[3:])
req = n * rounds * 2
print(f"  database during it: {(x1-x0)/req:.1f} transactions per request, PostgreSQL CPU {1000*(c1-c0)/req:.2f} ms per request, "
      f"{100*(c1-c0)/(t1-t0):.0f} % of one core")
PY

echo "== failover: kill -9 the service holding the most libraries"
victim=$owner
kill -9 "${pid[$victim]}"; unset "pid[$victim]"
other=A; [[ $victim == A ]] && other=B
secs=$(b takeover "$work/$other.sock" "$victim" 120) || { echo "not taken over in 120 s" >&2; exit 1; }
echo "  all $held libraries of $victim owned by the other two after $secs s (lease 6 s)"
echo "  $(b leased "$work/$other.sock" "$N" 10 | cut -d' ' -f2-)"
