#!/bin/sh
# The committed document samples (docs/samples/) from a fresh demo street on a throw-away SQLite.
set -eu
cd "$(dirname "$0")/.."
var=$(mktemp -d)
trap 'rm -rf "$var"' EXIT
export JXQ_VAR_DIR="$var" DEBUG=1
.venv/bin/python manage.py migrate -v0
.venv/bin/python manage.py seed_demo --seed 2023
.venv/bin/python manage.py make_samples --output docs/samples
