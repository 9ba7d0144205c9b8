#!/usr/bin/env bash
# Install everything the test suite needs on a Debian machine, then run the whole suite.
# Real parts: a real Asterisk 22 (Debian sid, in a debootstrap root under tests/pbx/root)
# with sipp phones, and Tk under Xvfb. Extra arguments go to pytest.
set -euo pipefail
cd "$(dirname "$0")/.."

SUDO=""
[ "$(id -u)" -eq 0 ] || SUDO="sudo"

need_debs=()
for pair in Xvfb:xvfb xprop:x11-utils debootstrap:debootstrap sipp:sip-tester import:imagemagick xdotool:xdotool openssl:openssl pdftotext:poppler-utils; do
  command -v "${pair%%:*}" >/dev/null 2>&1 || need_debs+=("${pair#*:}")
done
[ -f /usr/share/fonts/truetype/dejavu/DejaVuSans.ttf ] || need_debs+=(fonts-dejavu-core)
if [ ${#need_debs[@]} -gt 0 ]; then
  echo "== installing Debian packages: ${need_debs[*]}"
  $SUDO apt-get update -qq
  $SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${need_debs[@]}" >/dev/null
fi
python3 -c 'import tkinter' 2>/dev/null || {
  echo "== installing python3-tk"; $SUDO apt-get install -y -qq python3-tk >/dev/null; }

echo "== installing Python packages"
python3 -m pip install -q -r requirements-dev.txt

echo "== compiling the translation catalogs (locale/*/LC_MESSAGES/operator.mo)"
python3 scripts/i18n.py compile >/dev/null

echo "== building the test PBX root (cached after the first time)"
$SUDO bash tests/pbx/build-root.sh

if [ -z "${DISPLAY:-}" ]; then
  . scripts/xvfb.sh
  start_xvfb
  trap 'kill $XVFB_PID 2>/dev/null || true' EXIT
fi

echo "== running the test suite"
python3 -m pytest -ra "$@"
