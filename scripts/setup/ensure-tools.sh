#!/bin/sh
# The system tools the test suite needs, installed when missing (run by `npm test` through
# `pretest`, by .ci/run, and by hand): promtool and amtool (Prometheus rule and Alertmanager
# tests, the end-to-end alert test) and chromium (the control panel's browser tests).
# Idempotent and quiet when everything is present. Without root/sudo or apt-get it stops with
# the one command to run.
set -eu

missing=""
command -v promtool >/dev/null 2>&1 || missing="$missing prometheus"
command -v amtool >/dev/null 2>&1 || missing="$missing prometheus-alertmanager"
command -v prometheus >/dev/null 2>&1 || missing="$missing prometheus"
command -v prometheus-alertmanager >/dev/null 2>&1 || command -v alertmanager >/dev/null 2>&1 || missing="$missing prometheus-alertmanager"
[ -x /usr/bin/chromium ] || missing="$missing chromium"
# de-duplicate
missing=$(echo "$missing" | tr ' ' '\n' | sort -u | tr '\n' ' ' | sed 's/^ *//;s/ *$//')
[ -z "$missing" ] && exit 0

cmd="apt-get update && apt-get install -y --no-install-recommends $missing"
if ! command -v apt-get >/dev/null 2>&1; then
  echo "apprentice tests need: $missing (promtool, amtool, chromium). Install them with your package manager." >&2
  exit 1
fi
SUDO=""
if [ "$(id -u)" -ne 0 ]; then
  if command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then SUDO="sudo"; else
    echo "apprentice tests need system packages: $missing. Run as root:  $cmd" >&2
    exit 1
  fi
fi
echo "installing test tools: $missing" >&2
export DEBIAN_FRONTEND=noninteractive
# The lock wait lets two concurrent `npm test` runs share one install.
$SUDO apt-get -o DPkg::Lock::Timeout=300 update -q >/dev/null
$SUDO apt-get -o DPkg::Lock::Timeout=300 install -y -q --no-install-recommends $missing >/dev/null
# The packages start daemons on 9090/9093 where systemd runs; the tests only need the binaries.
if command -v systemctl >/dev/null 2>&1 && [ -d /run/systemd/system ]; then
  $SUDO systemctl disable --now prometheus prometheus-alertmanager >/dev/null 2>&1 || true
fi
for t in promtool amtool; do command -v $t >/dev/null 2>&1 || { echo "$t still missing after install" >&2; exit 1; }; done
[ -x /usr/bin/chromium ] || { echo "chromium still missing after install" >&2; exit 1; }
