#!/usr/bin/env bash
# Throwaway PostgreSQL cluster for the test suite.
#
# Usage: .ci/postgres.sh [--dir DIR] COMMAND
#
#   start [--print-env]   Start the cluster in DIR. If DIR holds no cluster yet (or no DIR is
#                         given), create one: a fresh temp dir, initdb, a free port on 127.0.0.1,
#                         fsync=off, trust auth, database "claimbot_test". Starting an existing,
#                         stopped cluster reuses its data dir and port. With --print-env, print
#                         shell `export` lines (for `eval "$(.ci/postgres.sh start --print-env)"`).
#   stop [fast|immediate] Stop the server, keep the data dir (so `start` brings it back on the same
#                         port). Idempotent: stopping a stopped or missing cluster succeeds.
#   restart               stop (fast) + start, same port and data dir.
#   destroy               stop (immediate) and remove DIR. Idempotent.
#   status                Exit 0 when the server is running, 3 when not.
#   url                   Print the SQLAlchemy URL (postgresql+asyncpg://...).
#   env                   Print the `export` lines for an existing cluster.
#   with -- CMD [ARG...]  Run CMD with CLAIMBOT_TEST_POSTGRES_URL set to a throwaway cluster,
#                         destroy the cluster afterwards (also on failure or Ctrl-C), exit with
#                         CMD's exit code. If CLAIMBOT_TEST_POSTGRES_URL is already set, just run
#                         CMD against it. If no PostgreSQL server binaries are installed, run CMD
#                         without PostgreSQL and say so (or fail, if CLAIMBOT_REQUIRE_POSTGRES=1).
#                         If CLAIMBOT_TEST_RC_FILE is set, CMD's exit code is also written there.
#
# DIR defaults to $CLAIMBOT_TEST_PG_DIR. Variables exported for tests (keep these names):
#
#   CLAIMBOT_TEST_POSTGRES_URL  postgresql+asyncpg://claimbot@127.0.0.1:PORT/claimbot_test
#   CLAIMBOT_TEST_PG_DIR        the cluster's temp dir (data dir is $CLAIMBOT_TEST_PG_DIR/data)
#   CLAIMBOT_TEST_PG_CTL        a shell-quoted command prefix bound to this cluster; append a
#                               command word. From Python:
#                                 subprocess.run([*shlex.split(os.environ["CLAIMBOT_TEST_PG_CTL"]),
#                                                 "stop"], check=True)     # ... later "start"
#
# PostgreSQL refuses to run as root: as root, the server runs as the "postgres" user when the
# Debian package created it, otherwise as a system user "claimbot-pg" created on first use
# (override with CLAIMBOT_PG_RUN_AS). As a normal user it runs as that user.
# Server binaries are looked up on PATH, then under /usr/lib/postgresql/<newest>/bin
# (override with CLAIMBOT_PG_BINDIR).
set -euo pipefail

SELF="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)/$(basename "${BASH_SOURCE[0]}")"
DBNAME=claimbot_test
DBUSER=claimbot

die() { echo "postgres.sh: $*" >&2; exit 1; }
say() { echo "postgres.sh: $*" >&2; }

find_bindir() {
    if [[ -n "${CLAIMBOT_PG_BINDIR:-}" ]]; then
        [[ -x "$CLAIMBOT_PG_BINDIR/initdb" && -x "$CLAIMBOT_PG_BINDIR/pg_ctl" ]] || return 1
        echo "$CLAIMBOT_PG_BINDIR"; return 0
    fi
    local d
    # Debian keeps the server binaries off PATH; prefer the newest installed major version.
    for d in $(printf "%s\n" /usr/lib/postgresql/*/bin | sort -t/ -k5 -V -r); do
        if [[ -x "$d/initdb" && -x "$d/pg_ctl" && -x "$d/postgres" ]]; then echo "$d"; return 0; fi
    done
    if command -v initdb >/dev/null 2>&1 && command -v pg_ctl >/dev/null 2>&1; then
        d="$(dirname "$(readlink -f "$(command -v pg_ctl)")")"
        [[ -x "$d/initdb" ]] && { echo "$d"; return 0; }
    fi
    return 1
}

# The OS user that owns and runs the cluster.
run_as_user() {
    if [[ -n "${CLAIMBOT_PG_RUN_AS:-}" ]]; then echo "$CLAIMBOT_PG_RUN_AS"; return; fi
    if [[ "$(id -u)" != 0 ]]; then id -un; return; fi
    if getent passwd postgres >/dev/null; then echo postgres; return; fi
    if ! getent passwd claimbot-pg >/dev/null; then
        useradd --system --no-create-home --home-dir /nonexistent --shell /usr/sbin/nologin claimbot-pg \
            || die "could not create system user claimbot-pg (needed because PostgreSQL refuses to run as root)"
    fi
    echo claimbot-pg
}

# Run a command as the cluster owner, from a directory that user can enter.
as_owner() {
    local owner="$1"; shift
    if [[ "$(id -un)" == "$owner" ]]; then
        (cd / && "$@")
    elif [[ "$(id -u)" == 0 ]]; then
        (cd / && runuser -u "$owner" -- "$@")
    else
        die "cluster belongs to $owner, cannot control it as $(id -un)"
    fi
}

free_port() {
    python3 - <<'EOF'
import socket
s = socket.socket()
s.bind(("127.0.0.1", 0))
print(s.getsockname()[1])
s.close()
EOF
}

need_dir() {
    [[ -n "$DIR" ]] || die "no cluster dir: pass --dir DIR or set CLAIMBOT_TEST_PG_DIR"
}

initialised() { [[ -n "$DIR" && -f "$DIR/data/PG_VERSION" && -f "$DIR/port" ]]; }

url() { echo "postgresql+asyncpg://$DBUSER@127.0.0.1:$(cat "$DIR/port")/$DBNAME"; }

print_env() {
    local ctl
    ctl="$(printf '%q --dir %q' "$SELF" "$DIR")"
    printf 'export CLAIMBOT_TEST_POSTGRES_URL=%q\n' "$(url)"
    printf 'export CLAIMBOT_TEST_PG_DIR=%q\n' "$DIR"
    printf 'export CLAIMBOT_TEST_PG_CTL=%q\n' "$ctl"
}

server_running() {
    initialised || return 1
    as_owner "$(cat "$DIR/owner")" "$(cat "$DIR/bindir")/pg_ctl" status -D "$DIR/data" >/dev/null 2>&1
}

pg_start_server() {
    local owner bindir
    owner="$(cat "$DIR/owner")"; bindir="$(cat "$DIR/bindir")"
    if server_running; then return 0; fi
    if ! as_owner "$owner" "$bindir/pg_ctl" start -D "$DIR/data" -l "$DIR/server.log" -w -t 60 -s; then
        say "server failed to start; last lines of $DIR/server.log:"
        tail -n 20 "$DIR/server.log" >&2 || true
        return 1
    fi
}

create_cluster() {
    local bindir owner port attempt
    bindir="$(find_bindir)" || die "PostgreSQL server binaries (initdb, pg_ctl) not found; install them with: apt-get install postgresql"
    owner="$(run_as_user)"
    if [[ -z "$DIR" ]]; then
        DIR="$(mktemp -d "${TMPDIR:-/tmp}/claimbot-pg.XXXXXX")"
    else
        mkdir -p "$DIR"
    fi
    chmod 0700 "$DIR"
    echo "$bindir" >"$DIR/bindir"
    echo "$owner" >"$DIR/owner"
    [[ "$(id -u)" == 0 ]] && chown "$owner" "$DIR"
    as_owner "$owner" "$bindir/initdb" -D "$DIR/data" -U "$DBUSER" -E UTF8 --no-locale \
        --auth-local=trust --auth-host=trust --no-sync >"$DIR/initdb.log" 2>&1 \
        || { cat "$DIR/initdb.log" >&2; die "initdb failed"; }
    for attempt in 1 2 3 4 5; do
        port="$(free_port)"
        # Later settings win, so appending overrides the defaults; pg_ctl start/restart reuse them.
        as_owner "$owner" tee -a "$DIR/data/postgresql.conf" >/dev/null <<EOF

# --- claimbot throwaway test cluster (attempt $attempt) ---
listen_addresses = '127.0.0.1'
port = $port
unix_socket_directories = '$DIR'
fsync = off
synchronous_commit = off
full_page_writes = off
max_connections = 200
EOF
        echo "$port" >"$DIR/port"
        if pg_start_server; then
            "$bindir/createdb" -h 127.0.0.1 -p "$port" -U "$DBUSER" "$DBNAME" \
                || die "createdb $DBNAME failed"
            return 0
        fi
        say "start on port $port failed (attempt $attempt), trying another port"
    done
    die "could not start PostgreSQL in $DIR"
}

cmd_start() {
    local print_env_flag=0
    [[ "${1:-}" == "--print-env" ]] && print_env_flag=1
    if initialised; then
        pg_start_server || die "could not start the cluster in $DIR"
    else
        create_cluster
    fi
    if ((print_env_flag)); then print_env; else say "running: $(url)  (dir $DIR)"; fi
}

cmd_stop() {
    local mode="${1:-fast}"
    [[ "$mode" == fast || "$mode" == immediate || "$mode" == smart ]] || die "stop mode must be fast, immediate or smart"
    need_dir
    initialised || return 0
    server_running || return 0
    as_owner "$(cat "$DIR/owner")" "$(cat "$DIR/bindir")/pg_ctl" stop -D "$DIR/data" -m "$mode" -w -t 60 -s
}

cmd_destroy() {
    need_dir
    [[ -d "$DIR" ]] || return 0
    if initialised; then cmd_stop immediate || say "stop failed, removing $DIR anyway"; fi
    # Only ever remove something that looks like our cluster dir.
    if [[ -f "$DIR/owner" || -f "$DIR/data/PG_VERSION" ]]; then
        rm -rf -- "$DIR"
    else
        die "refusing to remove $DIR: not a claimbot test cluster"
    fi
}

cmd_with() {
    [[ "${1:-}" == "--" ]] && shift
    (($#)) || die "with: missing command"
    local rc=0
    record_rc() { [[ -n "${CLAIMBOT_TEST_RC_FILE:-}" ]] && echo "$1" >"$CLAIMBOT_TEST_RC_FILE"; return 0; }
    if [[ -n "${CLAIMBOT_TEST_POSTGRES_URL:-}" ]]; then
        say "using the PostgreSQL from CLAIMBOT_TEST_POSTGRES_URL"
        "$@" || rc=$?
        record_rc "$rc"; return "$rc"
    fi
    if ! find_bindir >/dev/null; then
        if [[ "${CLAIMBOT_REQUIRE_POSTGRES:-}" == 1 ]]; then
            die "CLAIMBOT_REQUIRE_POSTGRES=1 but no PostgreSQL server binaries found (apt-get install postgresql)"
        fi
        echo "*** PostgreSQL not found: running the SQLite tests only; PostgreSQL tests are SKIPPED." >&2
        echo "*** To run them too: apt-get install postgresql   (or set CLAIMBOT_TEST_POSTGRES_URL)" >&2
        "$@" || rc=$?
        record_rc "$rc"; return "$rc"
    fi
    DIR=""
    trap 'cmd_destroy || true' EXIT
    trap 'exit 130' INT
    trap 'exit 143' TERM
    create_cluster
    eval "$(print_env)"
    say "throwaway PostgreSQL at $CLAIMBOT_TEST_POSTGRES_URL (dir $DIR)"
    "$@" || rc=$?
    record_rc "$rc"
    return "$rc"
}

DIR="${CLAIMBOT_TEST_PG_DIR:-}"
if [[ "${1:-}" == "--dir" ]]; then
    [[ $# -ge 2 ]] || die "--dir needs a value"
    DIR="$2"; shift 2
fi
cmd="${1:-}"; shift || true
case "$cmd" in
    start) cmd_start "$@" ;;
    stop) cmd_stop "$@" ;;
    restart) cmd_stop fast; cmd_start ;;
    destroy) cmd_destroy ;;
    status) need_dir; if server_running; then echo running; else echo stopped; exit 3; fi ;;
    url) need_dir; initialised || die "no cluster in $DIR"; url ;;
    env) need_dir; initialised || die "no cluster in $DIR"; print_env ;;
    with) cmd_with "$@" ;;
    *) sed -n '2,/^set -euo/p' "$SELF" | sed -e '$d' -e 's/^# \{0,1\}//' >&2; exit 2 ;;
esac
