#!/usr/bin/env bash
# The load test of issue 13: 50 staff at once for 2 minutes against gunicorn with production settings.
#
#   bench/load_bench.sh [TICKETS] [USERS] [DURATION]        defaults: 1000000 50 2m
#
# 1. loads TICKETS demo tickets into LOAD_BENCH_DATABASE_URL (default
#    postgres://postgres@127.0.0.1:5432/jxq_load_bench, created if missing; the name must contain
#    "bench"; an existing load of exactly TICKETS is reused) and writes the accounts and ticket numbers
#    the virtual users request (bench/load_data.py);
# 2. collects the static files and starts the web service as docker-compose.yml runs it
#    (scripts/serve-web.sh: migrate, then gunicorn with WEB_CONCURRENCY workers, default 4) with DEBUG
#    off, a secret key and ALLOWED_HOSTS=127.0.0.1, on a free port of the loopback;
# 3. runs locust headless (bench/locustfile.py, in its own virtualenv under var/load-bench/) with USERS
#    virtual users, 10 more a second until all are in, for DURATION;
# 4. prints locust's table (per page, logins included), then the pages alone — every request but the
#    login — against the goals (>= 50 req/s, p95 <= 300 ms, 0 errors), and the machine's load before
#    and after.
# Everything it writes stays under var/load-bench/. Bounded in time: each step has a timeout.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT="$(pwd)"
TICKETS="${1:-1000000}"
USERS="${2:-50}"
DURATION="${3:-2m}"
DATABASE="${LOAD_BENCH_DATABASE_URL:-postgres://postgres@127.0.0.1:5432/jxq_load_bench}"
BROKER="${LOAD_BENCH_BROKER_URL:-redis://127.0.0.1:6379/9}"
WORKERS="${WEB_CONCURRENCY:-4}"
OUT="$ROOT/var/load-bench"
PY="$ROOT/.venv/bin/python"
mkdir -p "$OUT"

echo "== $(date -u '+%Y-%m-%d %H:%M UTC') bench/load_bench.sh $TICKETS $USERS $DURATION (gunicorn workers: $WORKERS)"
echo "load before: $(uptime)"

# the database: created when missing (bench/load_data.py refuses any name without "bench")
DATABASE_URL="$DATABASE" "$PY" - <<'PY'
import os
from urllib.parse import urlsplit

import psycopg2
from psycopg2 import sql

url = urlsplit(os.environ["DATABASE_URL"])
name = url.path.lstrip("/")
conn = psycopg2.connect(host=url.hostname, port=url.port or 5432, user=url.username, password=url.password, dbname="postgres")
conn.autocommit = True
with conn.cursor() as cursor:
    cursor.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name])
    if cursor.fetchone() is None:
        cursor.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
        print(f"created database {name}")
PY

timeout 3600 env DEBUG=1 DATABASE_URL="$DATABASE" CELERY_BROKER_URL="$BROKER" \
  "$PY" -u bench/load_data.py "$TICKETS" --keep --targets "$OUT/targets.json"

# locust in a virtualenv of its own
if [ ! -x "$OUT/venv/bin/locust" ] || ! cmp -s bench/load_requirements.txt "$OUT/venv/requirements.txt"; then
  timeout 600 python3.11 -m venv "$OUT/venv"
  timeout 600 "$OUT/venv/bin/pip" install -q --disable-pip-version-check -r bench/load_requirements.txt 2>&1 \
    | { grep -v "^WARNING: Location" || true; }
  cp bench/load_requirements.txt "$OUT/venv/requirements.txt"
fi

PORT="$("$PY" -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')"
export DEBUG=0 SECRET_KEY="load-bench-$(head -c 24 /dev/urandom | base64 | tr -d '/+=')-not-for-production" \
  ALLOWED_HOSTS=127.0.0.1 DATABASE_URL="$DATABASE" CELERY_BROKER_URL="$BROKER" \
  STATIC_ROOT="$OUT/static" JXQ_VAR_DIR="$OUT/var" PORT="$PORT" WEB_CONCURRENCY="$WORKERS" \
  PATH="$ROOT/.venv/bin:$PATH"
timeout 600 python manage.py collectstatic --noinput -v0

setsid scripts/serve-web.sh > "$OUT/gunicorn.log" 2>&1 &
WEB=$!
trap 'kill -TERM -- -$WEB 2>/dev/null || true; wait $WEB 2>/dev/null || true' EXIT
for _ in $(seq 1 120); do
  if curl -fs -o /dev/null "http://127.0.0.1:$PORT/healthz/" 2>/dev/null; then break; fi
  if ! kill -0 "$WEB" 2>/dev/null; then tail -40 "$OUT/gunicorn.log"; exit 1; fi
  sleep 1
done
curl -fsS -o /dev/null "http://127.0.0.1:$PORT/healthz/" || { echo "the web service never answered /healthz/"; tail -40 "$OUT/gunicorn.log"; exit 1; }
echo "gunicorn ($WORKERS workers, DEBUG off) on 127.0.0.1:$PORT"

rm -f "$OUT"/locust_*.csv "$OUT/pages.json"
seconds="$("$PY" -c "import re,sys; v='$DURATION'; m=re.fullmatch(r'(\d+)([smh]?)', v) or sys.exit('DURATION like 120s, 2m or 1h'); print(int(m[1]) * {'': 1, 's': 1, 'm': 60, 'h': 3600}[m[2]])")"
LOAD_TARGETS="$OUT/targets.json" LOAD_PAGES="$OUT/pages.json" timeout "$((seconds + 120))" "$OUT/venv/bin/locust" -f bench/locustfile.py \
  --headless --users "$USERS" --spawn-rate 10 --run-time "$DURATION" --stop-timeout 10 \
  --host "http://127.0.0.1:$PORT" --csv "$OUT/locust" --only-summary > "$OUT/locust.log" 2>&1 || true

echo "load after:  $(uptime)"
"$PY" - "$OUT/locust_stats.csv" "$OUT/pages.json" <<'PY'
import csv
import json
import sys

rows = list(csv.DictReader(open(sys.argv[1], encoding="utf-8")))
if not rows:
    sys.exit("locust wrote no statistics: see var/load-bench/locust.log")
print(f"{'page':<34} {'requests':>8} {'fails':>6} {'median ms':>9} {'p95 ms':>7} {'req/s':>7}")
for row in rows:
    print(
        f"{row['Name'] or row['Type']:<34} {row['Request Count']:>8} {row['Failure Count']:>6} "
        f"{row['Median Response Time']:>9} {row['95%']:>7} {float(row['Requests/s']):>7.1f}"
    )
pages = json.load(open(sys.argv[2], encoding="utf-8"))
print(
    f"the pages alone (every request but the login): {pages['requests']} requests in {pages['seconds']} s, "
    f"median {pages['median_ms']:.0f} ms, p95 {pages['p95_ms']:.0f} ms, {pages['failures']} failed"
)
rate, p95, failures = pages["per_second"], pages["p95_ms"], pages["failures"]
print(f"goal >= 50 req/s: {rate:.1f} {'met' if rate >= 50 else 'NOT met'}")
print(f"goal p95 <= 300 ms: {p95:.0f} ms {'met' if p95 <= 300 else 'NOT met'}")
print(f"goal 0 errors: {failures} {'met' if failures == 0 else 'NOT met'}")
PY
if grep -q . "$OUT/locust_failures.csv" 2>/dev/null && [ "$(wc -l < "$OUT/locust_failures.csv")" -gt 1 ]; then
  echo "failures:"; cat "$OUT/locust_failures.csv"
fi
