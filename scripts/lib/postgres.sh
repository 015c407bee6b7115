# Throwaway PostgreSQL cluster for tests and benchmarks. Source this file, then:
#   pg_start DIR PORT    # installs the server from Debian packages if missing, starts a cluster on 127.0.0.1:PORT
#   pg_stop              # stops it (also registered on EXIT by pg_start)
# After pg_start, PG_URL holds a postgres:// URL for the database `gongzhi`, and PG_BIN the server's bin directory.

pg_find_bin() {
  local dir
  for dir in /usr/lib/postgresql/*/bin; do
    if [ -x "$dir/initdb" ] && [ -x "$dir/pg_ctl" ]; then echo "$dir"; fi
  done | sort -V | tail -n 1
}

pg_install() {
  echo "PostgreSQL server not found: installing it from Debian packages" >&2
  if [ "$(id -u)" -ne 0 ]; then
    echo "need root to apt-get install postgresql (or install it yourself)" >&2
    return 1
  fi
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq >&2
  apt-get install -y -qq postgresql postgresql-client >&2
}

# Runs a command as the cluster owner: as root, the `postgres` user (initdb refuses root).
pg_as_owner() {
  if [ "$(id -u)" -eq 0 ]; then
    runuser -u postgres -- "$@"
  else
    "$@"
  fi
}

pg_start() {
  local dir="$1" port="$2"
  PG_BIN="$(pg_find_bin)"
  if [ -z "$PG_BIN" ]; then
    pg_install || return 1
    PG_BIN="$(pg_find_bin)"
  fi
  if [ -z "$PG_BIN" ]; then
    echo "PostgreSQL server binaries still missing after install" >&2
    return 1
  fi
  command -v psql >/dev/null 2>&1 || pg_install
  rm -rf "$dir"
  mkdir -p "$dir"
  if [ "$(id -u)" -eq 0 ]; then chown postgres:postgres "$dir"; fi
  pg_as_owner "$PG_BIN/initdb" -D "$dir/data" -A trust -U postgres -E UTF8 --locale=C.UTF-8 >"$dir/initdb.log" 2>&1 \
    || { cat "$dir/initdb.log" >&2; return 1; }
  pg_as_owner "$PG_BIN/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w -t 60 \
    -o "-p $port -k /tmp -c listen_addresses=127.0.0.1 -c max_connections=400 -c fsync=off -c synchronous_commit=off -c full_page_writes=off" start >&2 \
    || { cat "$dir/server.log" >&2; return 1; }
  PG_DIR="$dir"
  trap pg_stop EXIT
  psql -h 127.0.0.1 -p "$port" -U postgres -qc "CREATE DATABASE gongzhi" >/dev/null
  PG_URL="postgres://postgres@127.0.0.1:$port/gongzhi?sslmode=disable"
  export PG_URL PG_BIN PG_DIR
}

pg_stop() {
  if [ -n "${PG_DIR:-}" ] && [ -d "$PG_DIR/data" ]; then
    pg_as_owner "$PG_BIN/pg_ctl" -D "$PG_DIR/data" -m fast stop >/dev/null 2>&1 || true
    rm -rf "$PG_DIR"
    PG_DIR=""
  fi
}
