#!/usr/bin/env bash
# Installs the reference proxies and load generator used by bench/proxy/run.ts
# (Debian packages only): haproxy, nginx (also the 1 KiB upstream), wrk.
set -euo pipefail
SUDO=""
if [ "$(id -u)" != "0" ]; then SUDO="sudo"; fi
$SUDO apt-get update -qq
for p in haproxy nginx wrk; do
  apt-cache policy "$p" | sed -n '1,3p'
done
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends haproxy nginx-light wrk >/dev/null 2>&1 \
  || DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends haproxy nginx wrk
# The packaged services are not wanted running: the benchmark starts its own instances.
$SUDO systemctl disable --now haproxy nginx >/dev/null 2>&1 || true
$SUDO service haproxy stop >/dev/null 2>&1 || true
$SUDO service nginx stop >/dev/null 2>&1 || true
command -v haproxy nginx wrk
