#!/bin/sh
# Runs a single Alertmanager (no cluster gossip) in the foreground.
# Usage: scripts/monitoring/run-alertmanager.sh <config.yml> <data-dir> <listen-address>
# The Debian package names the binary prometheus-alertmanager; upstream calls it alertmanager.
set -eu
if [ "$#" -ne 3 ]; then
  echo "usage: $0 <config.yml> <data-dir> <listen-address>" >&2
  exit 2
fi
if command -v prometheus-alertmanager >/dev/null 2>&1; then bin=prometheus-alertmanager
elif command -v alertmanager >/dev/null 2>&1; then bin=alertmanager
else echo "alertmanager not found: run scripts/monitoring/install.sh" >&2; exit 127; fi
mkdir -p "$2"
exec "$bin" \
  --config.file="$1" \
  --storage.path="$2" \
  --web.listen-address="$3" \
  --cluster.listen-address= \
  --log.level=warn
