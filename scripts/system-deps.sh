#!/bin/sh
# Install the Debian/Ubuntu packages the platform needs (DESIGN.md principle 9), when missing.
# Usage: scripts/system-deps.sh [--test]   (--test adds Chromium for the browser tests)
set -eu
PACKAGES="python3-venv libmagic1 tesseract-ocr tesseract-ocr-vie ghostscript qpdf poppler-utils \
libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz0b fonts-liberation2"
if [ "${1:-}" = "--test" ]; then PACKAGES="$PACKAGES chromium"; fi

command -v dpkg-query >/dev/null 2>&1 || { echo "Không phải Debian/Ubuntu: hãy tự cài $PACKAGES"; exit 0; }
missing=""
for p in $PACKAGES; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing="$missing $p"
done
# python3-venv is only needed when this Python cannot make a venv with pip by itself.
if python3 -c "import ensurepip, venv" >/dev/null 2>&1; then missing=$(echo "$missing" | sed 's/python3-venv//'); fi
missing=$(echo "$missing" | xargs)
[ -z "$missing" ] && exit 0

if [ "$(id -u)" = "0" ]; then SUDO=""; elif sudo -n true 2>/dev/null; then SUDO="sudo -n"; else
  echo "Thiếu gói hệ thống: $missing"
  echo "Chạy: sudo apt-get install -y $missing   (rồi chạy lại lệnh make)"
  exit 0
fi
echo "Cài gói hệ thống: $missing"
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get install -y -q --no-install-recommends $missing >/dev/null 2>&1 || {
  $SUDO apt-get update -q >/dev/null && $SUDO apt-get install -y -q --no-install-recommends $missing
}
