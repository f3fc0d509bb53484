#!/usr/bin/env bash
# Debian's Chromium for the browser tests (Playwright drives it by path; no browser downloads).
set -euo pipefail
if [ ! -x /usr/bin/chromium ]; then
  apt-get update -q
  DEBIAN_FRONTEND=noninteractive apt-get install -y -q chromium
fi
/usr/bin/chromium --version
