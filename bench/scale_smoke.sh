#!/usr/bin/env bash
# The scale smoke test: Ting as several machines would run it, on loopback.
#
#   nginx (docs/deploy/nginx.conf) → two uvicorn app processes → PostgreSQL, Redis, S3 (moto)
#                                    two RQ workers ─────────────┘
#
# Each app process and each worker has its own working directory and TING_DATA_DIR: nothing is
# shared on disk, only the services. bench/support/scale_smoke.py then drives one episode
# through nginx (sign in, album, chunked upload, processing with a worker killed by -9,
# publish, playback, counting) and prints a pass/fail table and the figure's JSON line.
#
# Needs: nginx, PostgreSQL (SMOKE_PG_URL, default postgres://postgres@127.0.0.1:5432), Redis
# (SMOKE_REDIS_URL, default redis://127.0.0.1:6379) and moto[server] in the virtualenv.
# Creates database ting_smoke_<pid> and takes an empty Redis db number; drops and flushes
# them, stops every process and removes its temp folder on exit, whatever happens.
#
# Usage: bench/scale_smoke.sh   (exit 0 when every step passed)
set -euo pipefail

REPO="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
PY="${PYTHON:-$REPO/.venv/bin/python}"
PG_URL="${SMOKE_PG_URL:-postgres://postgres@127.0.0.1:5432}"
REDIS_BASE="${SMOKE_REDIS_URL:-redis://127.0.0.1:6379}"
NGINX="$(command -v nginx || echo /usr/sbin/nginx)"

die() { echo "scale_smoke: $*" >&2; exit 2; }
[ -x "$PY" ] || die "no Python at $PY; run \`make install\` first (or set PYTHON)."
[ -x "$NGINX" ] || die "nginx is not installed (apt-get install -y nginx)."
"$PY" -c "import moto.server" 2>/dev/null || die "moto[server] is missing: make install."

WORK="$(mktemp -d "${TMPDIR:-/tmp}/ting-smoke.XXXXXX")"
DB_NAME="ting_smoke_$$"
REDIS_DB=""
DB_CREATED=0
PIDS=()

cleanup() {
    local code=$?
    trap - EXIT INT TERM
    for pid in "${PIDS[@]}"; do
        # The RQ work horses run in process groups of their own: stop them with their worker.
        pkill -TERM -P "$pid" 2>/dev/null || true
        kill -TERM "$pid" 2>/dev/null || true
    done
    for pid in "${PIDS[@]}"; do
        for _ in $(seq 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
        pkill -KILL -P "$pid" 2>/dev/null || true
        kill -KILL "$pid" 2>/dev/null || true
    done
    if [ "$DB_CREATED" = 1 ]; then
        "$PY" -c "import psycopg, sys
with psycopg.connect(sys.argv[1] + '/postgres', autocommit=True) as db:
    db.execute(f'DROP DATABASE IF EXISTS \"{sys.argv[2]}\" WITH (FORCE)')" "$PG_URL" "$DB_NAME" \
            || echo "scale_smoke: could not drop database $DB_NAME" >&2
    fi
    if [ -n "$REDIS_DB" ]; then
        "$PY" -c "import redis, sys; redis.Redis.from_url(sys.argv[1]).flushdb()" \
            "$REDIS_BASE/$REDIS_DB" || echo "scale_smoke: could not flush Redis db $REDIS_DB" >&2
    fi
    rm -rf "$WORK"
    exit "$code"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

free_port() { "$PY" -c "import socket; s=socket.socket(); s.bind(('127.0.0.1',0)); print(s.getsockname()[1])"; }

wait_port() {  # port pid log
    for _ in $(seq 300); do
        kill -0 "$2" 2>/dev/null || { cat "$3" >&2; die "process $2 exited before listening on $1"; }
        (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null && return 0
        sleep 0.1
    done
    cat "$3" >&2
    die "nothing listens on port $1 after 30 s"
}

# --- services ------------------------------------------------------------------------------
"$PY" -c "import psycopg, sys
with psycopg.connect(sys.argv[1] + '/postgres', autocommit=True) as db:
    db.execute(f'CREATE DATABASE \"{sys.argv[2]}\"')" "$PG_URL" "$DB_NAME" \
    || die "cannot create a database on $PG_URL (is PostgreSQL running?)"
DB_CREATED=1

# A db number nobody uses: empty, and claimed with SET NX so two smoke runs never share one.
REDIS_DB="$("$PY" -c "import redis, sys
for n in range(15, 0, -1):
    r = redis.Redis.from_url(f'{sys.argv[1]}/{n}')
    if r.dbsize() == 0 and r.set('ting-smoke:claim', sys.argv[2], nx=True):
        print(n); break
else:
    sys.exit('no empty Redis db among 1-15')" "$REDIS_BASE" "$$")" \
    || die "cannot reach Redis at $REDIS_BASE, or no empty db"

S3_PORT="$(free_port)"
mkdir -p "$WORK/s3"
(cd "$WORK/s3" && exec "$PY" -m moto.server -H 127.0.0.1 -p "$S3_PORT") >"$WORK/s3/moto.log" 2>&1 &
PIDS+=("$!")
wait_port "$S3_PORT" "$!" "$WORK/s3/moto.log"

export TING_ENV=development DEBUG=0 LOG_FORMAT=json PYTHONUNBUFFERED=1
export SECRET_KEY="scale-smoke-$$-$RANDOM$RANDOM"
export DATABASE_URL="$PG_URL/$DB_NAME"
export REDIS_URL="$REDIS_BASE/$REDIS_DB"
export TASKS_BACKEND=rq
export STORAGE=s3 MEDIA_DELIVERY=redirect S3_BUCKET="ting-smoke" S3_REGION=us-east-1
export S3_ENDPOINT_URL="http://127.0.0.1:$S3_PORT" S3_ADDRESSING_STYLE=path
export S3_ACCESS_KEY_ID=smoke-key S3_SECRET_ACCESS_KEY=smoke-secret
# Chunks small enough that the upload takes several requests, so both app processes get some.
export TING_UPLOAD_CHUNK_BYTES=$((256 * 1024))
# The reaper gives back claims older than this; short, so the smoke does not wait an hour.
export TING_PROCESSING_DEADLINE=3
export TING_PROXY_HOPS=1
unset PROMETHEUS_MULTIPROC_DIR

"$PY" -c "import boto3, os
boto3.client('s3', endpoint_url=os.environ['S3_ENDPOINT_URL'], region_name='us-east-1',
             aws_access_key_id='smoke-key', aws_secret_access_key='smoke-secret'
             ).create_bucket(Bucket=os.environ['S3_BUCKET'])"

mkdir -p "$WORK/setup"
(cd "$WORK/setup" && TING_DATA_DIR="$WORK/setup/data" "$PY" "$REPO/manage.py" migrate --no-input -v 0)

# --- two app processes, two workers, each in its own folder ---------------------------------
APP_PORTS=()
for n in 1 2; do
    dir="$WORK/app$n"; mkdir -p "$dir/data"
    port="$(free_port)"
    (cd "$dir" && TING_DATA_DIR="$dir/data" exec "$PY" -m uvicorn config.asgi:application \
        --app-dir "$REPO" --host 127.0.0.1 --port "$port" --loop uvloop --http httptools \
        --no-access-log) >"$dir/app.log" 2>&1 &
    PIDS+=("$!")
    wait_port "$port" "$!" "$dir/app.log"
    APP_PORTS+=("$port")
done

WORKER_PIDS=()
for n in 1 2; do
    dir="$WORK/worker$n"; mkdir -p "$dir/data"
    # manage.py directly (not `ting worker`, which changes to the repository folder).
    (cd "$dir" && TING_DATA_DIR="$dir/data" exec "$PY" "$REPO/manage.py" rqworker \
        --job-class django_tasks_rq.Job --name "smoke-worker-$n-$$") >"$dir/worker.log" 2>&1 &
    PIDS+=("$!")
    WORKER_PIDS+=("$!")
    # The smoke kills one with -9 on purpose: no "Killed" job report from bash for it.
    disown "$!"
done

# --- nginx: the reference config, upstream = both app processes -----------------------------
NGINX_PORT="$(free_port)"
mkdir -p "$WORK/nginx" "$WORK/nginx/empty"
"$PY" - "$REPO/docs/deploy/nginx.conf" "$WORK/nginx" "$NGINX_PORT" "${APP_PORTS[@]}" <<'EOF'
import os, sys
from pathlib import Path
conf, prefix, port, *apps = sys.argv[1:]
prefix_path = Path(prefix)
body = Path(conf).read_text()
# One `server` line per app process in the upstream block: nginx round-robins between them.
upstream = "    server @APP_UPSTREAM@;"
assert upstream in body, "docs/deploy/nginx.conf no longer has its upstream server line"
body = body.replace(upstream, "\n".join(f"    server 127.0.0.1:{p};" for p in apps))
for key, value in {
    "@LISTEN@": f"127.0.0.1:{port}",
    "@SERVER_NAME@": "127.0.0.1",
    "@MEDIA_ROOT@": str(prefix_path / "empty"),
    "@STATIC_ROOT@": str(prefix_path / "empty"),
}.items():
    body = body.replace(key, value)
temp = "\n".join(f"    {n}_temp_path {prefix_path / n};" for n in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi"))
user = "user root;\n" if os.geteuid() == 0 else ""
(prefix_path / "nginx.conf").write_text(f"""{user}worker_processes 1;
pid {prefix_path / 'nginx.pid'};
error_log {prefix_path / 'error.log'} warn;
events {{ worker_connections 1024; }}
http {{
    include /etc/nginx/mime.types;
    default_type application/octet-stream;
    log_format smoke '$upstream_addr "$request" $status';
    access_log {prefix_path / 'access.log'} smoke;
{temp}
{body}
}}
""")
EOF
"$NGINX" -p "$WORK/nginx" -c "$WORK/nginx/nginx.conf" -t -q || die "nginx rejects the generated config"
"$NGINX" -p "$WORK/nginx" -c "$WORK/nginx/nginx.conf" -g "daemon off;" >"$WORK/nginx/stdout.log" 2>&1 &
PIDS+=("$!")
wait_port "$NGINX_PORT" "$!" "$WORK/nginx/error.log"

# --- the run -----------------------------------------------------------------------------
export SMOKE_WORK="$WORK" SMOKE_BASE_URL="http://127.0.0.1:$NGINX_PORT" SMOKE_REPO="$REPO"
export SMOKE_APP_PORTS="${APP_PORTS[*]}" SMOKE_WORKER_PIDS="${WORKER_PIDS[*]}"
export SMOKE_AUDIO_SECONDS="${SMOKE_AUDIO_SECONDS:-180}"
cd "$WORK"
"$PY" "$REPO/bench/support/scale_smoke.py"
