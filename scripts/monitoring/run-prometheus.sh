#!/bin/sh
# Runs a Prometheus server in the foreground (the end-to-end tests start it this way).
# Usage: scripts/monitoring/run-prometheus.sh <config.yml> <data-dir> <listen-address>
#   e.g. scripts/monitoring/run-prometheus.sh /tmp/p/prometheus.yml /tmp/p/data 127.0.0.1:9090
# Install it first with scripts/monitoring/install.sh.
set -eu
if [ "$#" -ne 3 ]; then
  echo "usage: $0 <config.yml> <data-dir> <listen-address>" >&2
  exit 2
fi
command -v prometheus >/dev/null 2>&1 || { echo "prometheus not found: run scripts/monitoring/install.sh" >&2; exit 127; }
mkdir -p "$2"
exec prometheus \
  --config.file="$1" \
  --storage.tsdb.path="$2" \
  --web.listen-address="$3" \
  --web.enable-lifecycle \
  --log.level=warn
