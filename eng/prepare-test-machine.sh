#!/usr/bin/env bash
# Makes sure this machine has what the test suite uses beyond the .NET SDK. Idempotent and quiet when all is there.
# Packages come only from Debian's registry through apt.
set -euo pipefail

need=()
# The PostgreSQL tests start a private throwaway server from the system's binaries.
compgen -G "/usr/lib/postgresql/*/bin/postgres" >/dev/null || need+=(postgresql)

if [ ${#need[@]} -gt 0 ]; then
  if [ "$(id -u)" -ne 0 ]; then
    echo "Missing Debian packages: ${need[*]} (run: sudo apt-get install -y ${need[*]})" >&2
    exit 1
  fi
  echo "Installing Debian packages: ${need[*]}"
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${need[@]}" >/dev/null
fi
