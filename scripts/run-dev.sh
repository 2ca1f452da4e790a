#!/usr/bin/env bash
# Starts the web server, a Celery worker and Celery beat; Ctrl-C stops all three.
set -u
cd "$(dirname "$0")/.."
PY=.venv/bin/python
export DEBUG="${DEBUG:-1}"

pids=()
stop() {
  trap - INT TERM EXIT
  echo; echo "stopping..."
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null; done
  wait 2>/dev/null
  exit 0
}
trap stop INT TERM EXIT

.venv/bin/celery -A jxq_cases worker --loglevel=WARNING --pool=threads --concurrency=2 &
pids+=($!)
.venv/bin/celery -A jxq_cases beat --loglevel=WARNING --pidfile= --schedule=var/celerybeat-schedule &
pids+=($!)

$PY manage.py demo_accounts
PORT="${PORT:-8000}"
echo "jxq_cases is running on http://127.0.0.1:${PORT}/  (Ctrl-C stops the server, the worker and beat)"
$PY manage.py runserver "127.0.0.1:${PORT}" --noreload &
pids+=($!)
wait -n
stop
