#!/bin/sh
# Installs the Prometheus tools the monitoring tests need (promtool, amtool) from the
# distribution's packages. Idempotent: does nothing when both are already on PATH.
# Usage: scripts/monitoring/install.sh   (as root, or with sudo available)
set -eu

if command -v promtool >/dev/null 2>&1 && command -v amtool >/dev/null 2>&1; then
  echo "promtool and amtool already installed: $(command -v promtool), $(command -v amtool)"
  exit 0
fi

if ! command -v apt-get >/dev/null 2>&1; then
  echo "apt-get not found: install prometheus and alertmanager (promtool, amtool) from https://prometheus.io/download/" >&2
  exit 1
fi

SUDO=""
if [ "$(id -u)" -ne 0 ]; then
  if command -v sudo >/dev/null 2>&1; then SUDO="sudo"; else
    echo "run as root or install sudo" >&2
    exit 1
  fi
fi

export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -q
# --no-install-recommends keeps the web console assets and node exporters out.
$SUDO apt-get install -y -q --no-install-recommends prometheus prometheus-alertmanager

# The packages start daemons on 9090/9093; CI only needs the tools.
if command -v systemctl >/dev/null 2>&1 && [ -d /run/systemd/system ]; then
  $SUDO systemctl disable --now prometheus prometheus-alertmanager >/dev/null 2>&1 || true
fi

promtool --version | head -n 1
amtool --version | head -n 1
