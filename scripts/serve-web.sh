#!/bin/sh
# The web service: apply migrations, then serve the app with gunicorn on 0.0.0.0:$PORT (8000).
# docker-compose.yml's web service and the image's default command run this script, and so does the
# test that opens the production setup in Chromium (tests/browser/test_production_server.py).
# WEB_CONCURRENCY is gunicorn's own variable for the number of worker processes.
set -eu
cd "$(dirname "$0")/.."
python manage.py migrate --noinput
exec gunicorn jxq_cases.wsgi:application \
  --bind "0.0.0.0:${PORT:-8000}" \
  --workers "${WEB_CONCURRENCY:-3}" \
  --timeout 120 \
  --access-logfile -
