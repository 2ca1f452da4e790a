#!/usr/bin/env bash
# The browser tests drive Debian's Chromium and need CJK fonts to render Chinese; install when missing.
# Another apt-get (an unattended upgrade, a second test run) may hold apt's locks: wait for them, up to
# ten minutes, instead of failing. tests/project/test_ensure_browser.py runs the two apt functions.
set -eu

LOCK_WAIT_SECONDS=600
SUDO=""
[ "$(id -u)" -eq 0 ] || SUDO="sudo"
export DEBIAN_FRONTEND=noninteractive

# DPkg::Lock::Timeout makes apt-get wait for the dpkg lock; apt 2.6 (bookworm) does not apply it to
# the package lists' lock that `update` takes, so update is retried while that lock is busy.
apt_get_update() {
  local deadline=$((SECONDS + LOCK_WAIT_SECONDS)) errors
  errors="$(mktemp)"
  until $SUDO apt-get -o DPkg::Lock::Timeout="$LOCK_WAIT_SECONDS" update -qq 2>"$errors"; do
    if ! grep -q "Could not get lock" "$errors" || [ "$SECONDS" -ge "$deadline" ]; then
      cat "$errors" >&2; rm -f "$errors"; return 1
    fi
    echo "waiting for another apt-get to release the package lists"
    sleep 5
  done
  rm -f "$errors"
}

apt_get_install() {
  $SUDO apt-get -o DPkg::Lock::Timeout="$LOCK_WAIT_SECONDS" install -y -qq --no-install-recommends "$@" >/dev/null
}

main() {
  local missing=() package
  for package in chromium fonts-noto-cjk; do
    dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed" || missing+=("$package")
  done
  [ ${#missing[@]} -eq 0 ] && return 0
  echo "installing ${missing[*]} for the browser tests"
  apt_get_update
  apt_get_install "${missing[@]}"
}

# sourced by the test for its functions; run as a script otherwise
if [ "${BASH_SOURCE[0]}" = "$0" ]; then
  main
fi
