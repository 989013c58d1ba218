# Throw-away PostgreSQL cluster for tests and tiers (source this file).
#   pg_start DIR   initdb in DIR/data as a non-root user (initdb refuses root), start it on a free loopback port with
#                  its socket in DIR; sets PG_URI (postgresql://postgres@127.0.0.1:PORT/postgres), PG_PORT, PG_DIR.
#   pg_stop        stops it (immediate: the cluster is thrown away) and removes DIR.
#   pg_sql SQL     runs SQL as the superuser, prints the rows unaligned.
# Debian's postgresql package (PostgreSQL 15 on bookworm) is installed when no server binaries are found.
PG_BIN=${PG_BIN:-$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)}

pg_start() {
  PG_DIR=$1
  if [[ -z $PG_BIN || ! -x $PG_BIN/initdb ]]; then
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends postgresql >/dev/null
    PG_BIN=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -n 1)
  fi
  local user=postgres
  if [[ $(id -u) != 0 ]]; then user=$(id -un)
  elif ! id "$user" >/dev/null 2>&1; then useradd -m pgtest 2>/dev/null || true; user=pgtest
  fi
  PG_USER=$user
  mkdir -p "$PG_DIR"; [[ $(id -u) == 0 ]] && chown "$user" "$PG_DIR"
  PG_PORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
  _pg_as "$PG_BIN/initdb" -A trust -U postgres -D "$PG_DIR/data" >"$PG_DIR/initdb.log" 2>&1 || { cat "$PG_DIR/initdb.log" >&2; return 1; }
  _pg_as "$PG_BIN/pg_ctl" -D "$PG_DIR/data" -w -t 60 -l "$PG_DIR/server.log" \
    -o "-k $PG_DIR -c listen_addresses=127.0.0.1 -p $PG_PORT -c max_connections=400 -c fsync=${PG_FSYNC:-off}" start >/dev/null || { cat "$PG_DIR/server.log" >&2; return 1; }
  PG_URI="postgresql://postgres@127.0.0.1:$PG_PORT/postgres"
}

_pg_as() { if [[ $(id -u) == 0 ]]; then runuser -u "$PG_USER" -- "$@"; else "$@"; fi; }

pg_sql() { _pg_as "$PG_BIN/psql" -h 127.0.0.1 -p "$PG_PORT" -U postgres -d "${PG_DB:-postgres}" -AtX -v ON_ERROR_STOP=1 -c "$1"; }

pg_stop() {
  [[ -n ${PG_DIR:-} && -d $PG_DIR/data ]] || return 0
  _pg_as "$PG_BIN/pg_ctl" -D "$PG_DIR/data" -m immediate stop >/dev/null 2>&1 || true
  rm -rf "$PG_DIR"
}
