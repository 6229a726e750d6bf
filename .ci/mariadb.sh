#!/usr/bin/env bash
# A throwaway MariaDB on 127.0.0.1 for the embedded backend's real-database tests.
#
# Usage (from the repository root, e.g. in .ci/run before pytest):
#     eval "$(bash .ci/mariadb.sh)"
#
# Installs mariadb-server from Debian's packages if missing (apt, as root or with passwordless sudo),
# starts it on 127.0.0.1 with a datadir of its own (default /tmp/c2q-mariadb, owned by the mysql
# user), creates the databases `sp500insight` (with the sample data loaded) and `shop` (loaded by the
# tests themselves), plus a user for both.
# stdout carries only shell to eval:
#     export C2Q_TEST_MYSQL_URL='mysql+pymysql://c2q:...@127.0.0.1:PORT/sp500insight'
# or, when anything fails, the reason for the tests to skip with:
#     export C2Q_TEST_MYSQL_SKIP='...'
# Progress goes to stderr. It never fails CI (always exits 0), is bounded in time (about 3 minutes at
# most), and is idempotent: a second run finds the server running and prints the same URL.
# Stop it with: kill "$(cat /tmp/c2q-mariadb/mariadbd.pid)"
#
# Environment: C2Q_MARIADB_DIR (datadir root), C2Q_MARIADB_PORT (default: a free port),
# PYTHON (the interpreter with c2q_tui, SQLAlchemy and PyMySQL; default .ci-venv, then .venv).
set -uo pipefail
cd "$(dirname "$0")/.."

DIR="${C2Q_MARIADB_DIR:-/tmp/c2q-mariadb}"
DATA="$DIR/data"
SOCK="$DIR/mariadbd.sock"
PIDFILE="$DIR/mariadbd.pid"
URLFILE="$DIR/url"
DB=sp500insight
USER_NAME=c2q
DEADLINE=$((SECONDS + 170))

log() { echo "mariadb.sh: $*" >&2; }
skip() {
    log "skipping the MariaDB tests: $*"
    printf "export C2Q_TEST_MYSQL_SKIP=%q\n" "MariaDB not available: $*"
    exit 0
}
left() { local n=$((DEADLINE - SECONDS)); [ "$n" -gt 5 ] && echo "$n" || echo 5; }

if [ -z "${PYTHON:-}" ]; then
    for candidate in .ci-venv/bin/python .venv/bin/python; do
        [ -x "$candidate" ] && PYTHON="$candidate" && break
    done
fi
PYTHON="${PYTHON:-python3}"

ping_server() { mariadb-admin --no-defaults --socket="$SOCK" -uroot ping >/dev/null 2>&1; }

# `shop`: the embedded backend's own tests (tests/local) load their small databases into it, so the
# same tests run on SQLite and here under the same database name
test_databases() {
    mariadb --no-defaults --socket="$SOCK" -uroot >&2 <<SQL
CREATE DATABASE IF NOT EXISTS \`shop\` CHARACTER SET utf8mb4;
GRANT ALL PRIVILEGES ON \`shop\`.* TO '$USER_NAME'@'127.0.0.1';
FLUSH PRIVILEGES;
SQL
}

# already running (a second call): print what the first one set up
if [ -s "$URLFILE" ] && [ -S "$SOCK" ] && command -v mariadb-admin >/dev/null && ping_server; then
    log "already running ($(cat "$PIDFILE" 2>/dev/null || echo '?'))"
    test_databases || log "could not create the shop database; the tests that need it will skip"
    printf "export C2Q_TEST_MYSQL_URL=%q\n" "$(cat "$URLFILE")"
    exit 0
fi

# -- install -----------------------------------------------------------------------------------------
SUDO=""
if [ "$(id -u)" != 0 ]; then
    if command -v sudo >/dev/null && sudo -n true 2>/dev/null; then SUDO="sudo -n"; fi
fi
MARIADBD="$(command -v mariadbd || ls /usr/sbin/mariadbd 2>/dev/null || true)"
if [ -z "$MARIADBD" ]; then
    command -v apt-get >/dev/null || skip "mariadbd is not installed and there is no apt-get"
    [ "$(id -u)" = 0 ] || [ -n "$SUDO" ] || skip "mariadbd is not installed and apt needs root"
    log "installing mariadb-server with apt"
    export DEBIAN_FRONTEND=noninteractive
    if ! timeout "$(left)" $SUDO apt-get install -y -q --no-install-recommends mariadb-server >&2; then
        log "apt-get install failed; updating the package lists once"
        timeout "$(left)" $SUDO apt-get update -q >&2 || skip "apt-get update failed"
        timeout "$(left)" $SUDO apt-get install -y -q --no-install-recommends mariadb-server >&2 \
            || skip "apt-get install mariadb-server failed"
    fi
    MARIADBD="$(command -v mariadbd || ls /usr/sbin/mariadbd 2>/dev/null || true)"
    [ -n "$MARIADBD" ] || skip "mariadb-server installed but mariadbd was not found"
fi
command -v mariadb-install-db >/dev/null || skip "mariadb-install-db not found"
command -v mariadb >/dev/null || skip "the mariadb client not found"

# -- datadir and server ------------------------------------------------------------------------------
RUN_AS="$(id -un)"
if [ "$(id -u)" = 0 ]; then
    if id mysql >/dev/null 2>&1; then RUN_AS=mysql; else RUN_AS=root; fi
fi
if [ -f "$PIDFILE" ] && kill -0 "$(cat "$PIDFILE")" 2>/dev/null; then
    log "a server from an earlier run does not answer; stopping it"
    kill "$(cat "$PIDFILE")" 2>/dev/null
    sleep 2
fi
if [ -e "$DIR" ] && [ ! -e "$DIR/.c2q-mariadb" ] && [ -n "$(ls -A "$DIR" 2>/dev/null)" ]; then
    skip "$DIR exists and was not made by this script; set C2Q_MARIADB_DIR"
fi
rm -rf "$DIR"
mkdir -p "$DATA" || skip "cannot create $DIR"
touch "$DIR/.c2q-mariadb"
chmod 755 "$DIR"
[ "$RUN_AS" != "$(id -un)" ] && chown -R "$RUN_AS" "$DIR"

log "initialising $DATA (as $RUN_AS)"
timeout "$(left)" mariadb-install-db --no-defaults --user="$RUN_AS" --datadir="$DATA" \
    --auth-root-authentication-method=socket --skip-test-db >"$DIR/install.log" 2>&1 \
    || skip "mariadb-install-db failed: $(tail -n 3 "$DIR/install.log" | tr '\n' ' ')"

PORT="${C2Q_MARIADB_PORT:-}"
if [ -z "$PORT" ]; then
    PORT="$("$PYTHON" -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])' \
        2>/dev/null)" || skip "no Python to pick a free port with ($PYTHON)"
fi

log "starting mariadbd on 127.0.0.1:$PORT"
setsid "$MARIADBD" --no-defaults --user="$RUN_AS" --datadir="$DATA" --socket="$SOCK" --pid-file="$PIDFILE" \
    --port="$PORT" --bind-address=127.0.0.1 --skip-name-resolve --log-error="$DIR/error.log" \
    --character-set-server=utf8mb4 --collation-server=utf8mb4_general_ci \
    --innodb-buffer-pool-size=64M --innodb-log-file-size=16M \
    </dev/null >/dev/null 2>&1 &
SERVER_PID=$!
until ping_server; do
    why="$(tail -n 3 "$DIR/error.log" 2>/dev/null | tr '\n' ' ')"
    kill -0 "$SERVER_PID" 2>/dev/null || { sleep 1; ping_server && break; skip "mariadbd exited: $why"; }
    [ "$SECONDS" -lt "$DEADLINE" ] || skip "mariadbd did not answer in time: $why"
    sleep 0.5
done

# -- database, user, data ----------------------------------------------------------------------------
PASSWORD="c2q-$(od -An -N8 -tx1 /dev/urandom | tr -d ' \n')"
mariadb --no-defaults --socket="$SOCK" -uroot >&2 <<SQL || skip "creating the database and user failed"
CREATE DATABASE IF NOT EXISTS \`$DB\` CHARACTER SET utf8mb4;
CREATE USER IF NOT EXISTS '$USER_NAME'@'127.0.0.1' IDENTIFIED BY '$PASSWORD';
ALTER USER '$USER_NAME'@'127.0.0.1' IDENTIFIED BY '$PASSWORD';
GRANT ALL PRIVILEGES ON \`$DB\`.* TO '$USER_NAME'@'127.0.0.1';
CREATE DATABASE IF NOT EXISTS \`c2q_scratch\` CHARACTER SET utf8mb4;
GRANT ALL PRIVILEGES ON \`c2q_scratch\`.* TO '$USER_NAME'@'127.0.0.1';
FLUSH PRIVILEGES;
SQL
test_databases || skip "creating the shop test database failed"
URL="mysql+pymysql://$USER_NAME:$PASSWORD@127.0.0.1:$PORT/$DB?charset=utf8mb4"

log "loading the sp500insight sample"
timeout "$(left)" "$PYTHON" - "$URL" >&2 <<'PY' || skip "loading the sample data failed (see the lines above)"
"""Copy the sp500insight sample (SQLite) into MySQL/MariaDB with SQLAlchemy, keys and all."""
import sys
import tempfile
from pathlib import Path

from sqlalchemy import BigInteger, Integer, MetaData, String, Text, create_engine, insert, select

from c2q_tui.local.sample import build_sample

target_url = sys.argv[1]
source_path = build_sample(Path(tempfile.mkdtemp()) / "sp500insight.sqlite3")
source = create_engine(f"sqlite:///{source_path}")
target = create_engine(target_url)
meta = MetaData()
meta.reflect(source)
if "sqlite_stat1" in meta.tables:
    meta.remove(meta.tables["sqlite_stat1"])
with source.connect() as src:
    for table in meta.sorted_tables:
        for column in table.columns:
            if isinstance(column.type, Integer):
                column.type = BigInteger()  # SQLite integers are 64-bit (market caps overflow INT)
            if isinstance(column.type, Text | String) and not getattr(column.type, "length", None):
                longest = src.execute(select(column).order_by(None)).scalars().all()
                size = max((len(v) for v in longest if isinstance(v, str)), default=0)
                # keys and indexes need a length in MySQL; long text stays TEXT
                column.type = String(255) if size <= 255 else Text()
    meta.drop_all(target)
    meta.create_all(target)
    with target.begin() as dst:
        for table in meta.sorted_tables:
            rows = [dict(r._mapping) for r in src.execute(select(table))]
            for start in range(0, len(rows), 5000):
                dst.execute(insert(table), rows[start : start + 5000])
            print(f"  {table.name}: {len(rows)} rows", file=sys.stderr)
PY

echo "$URL" >"$URLFILE"
chmod 600 "$URLFILE"
log "ready: mysql+pymysql://$USER_NAME:***@127.0.0.1:$PORT/$DB (pid $(cat "$PIDFILE" 2>/dev/null))"
printf "export C2Q_TEST_MYSQL_URL=%q\n" "$URL"
exit 0
