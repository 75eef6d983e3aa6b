#!/usr/bin/env bash
# System packages the test suite drives for real (Chromium for Playwright, nginx for x-accel).
# Installed with apt-get when missing and we are root; otherwise we say what is missing and the
# tests that need it fail loudly.
set -euo pipefail
missing=()
command -v chromium >/dev/null 2>&1 || [ -x /usr/bin/chromium ] || missing+=(chromium)
command -v nginx >/dev/null 2>&1 || [ -x /usr/sbin/nginx ] || missing+=(nginx)
[ ${#missing[@]} -eq 0 ] && exit 0
if [ "$(id -u)" = "0" ] && command -v apt-get >/dev/null 2>&1; then
  echo "Installing system packages: ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
else
  echo "Missing system packages: ${missing[*]} (install them with: sudo apt-get install ${missing[*]})." >&2
  echo "The browser and nginx tests will fail until they are installed." >&2
fi
