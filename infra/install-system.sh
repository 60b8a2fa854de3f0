#!/usr/bin/env bash
# Debian packages hoso needs: Tesseract with Vietnamese and orientation data, fonts with
# Vietnamese glyphs (sample generator), and Python's venv; with --test also Chromium, the real
# browser of the web application's end-to-end tests. Installs only what is missing.
set -euo pipefail

packages=(tesseract-ocr tesseract-ocr-vie tesseract-ocr-osd fonts-dejavu-core fonts-dejavu-extra
          fonts-liberation2)
[ "${1:-}" = "--test" ] && packages+=(chromium)
python3 -c 'import venv, ensurepip' 2>/dev/null || packages+=(python3-venv python3-pip)

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] && exit 0

echo "Installing Debian packages: ${missing[*]}"
SUDO=""
[ "$(id -u)" -eq 0 ] || SUDO="sudo"
$SUDO apt-get update -qq
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}"
