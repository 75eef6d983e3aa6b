#!/usr/bin/env bash
# System packages the build and the tests need for real: Chromium (Playwright), nginx (x-accel),
# gettext (compiling the three translation catalogs).
# Installed with apt-get when missing and we are root; otherwise we say what is missing and the
# tests that need it fail loudly.
set -euo pipefail
# `system-deps.sh run` asks only for what serving needs; plain `system-deps.sh` for the tests.
missing=()
command -v msgfmt >/dev/null 2>&1 || missing+=(gettext)
if [ "${1:-test}" = "test" ]; then
  command -v chromium >/dev/null 2>&1 || [ -x /usr/bin/chromium ] || missing+=(chromium)
  command -v nginx >/dev/null 2>&1 || [ -x /usr/sbin/nginx ] || missing+=(nginx)
  # The screenshots the browser tests take for README.md need a font with Chinese glyphs.
  fc-list :lang=zh 2>/dev/null | grep -q . || missing+=(fonts-noto-cjk)
  fc-list 2>/dev/null | grep -qi "color emoji" || missing+=(fonts-noto-color-emoji)
fi
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
