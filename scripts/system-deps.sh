#!/usr/bin/env sh
# Installs the Debian packages a make target needs, only those that are missing.
#   scripts/system-deps.sh run    python3-venv, Pango and CJK fonts (PDF documents through WeasyPrint)
#   scripts/system-deps.sh test   the same, chromium (browser tests), CJK fonts (legible screenshots and
#                                 burned-in captions), ffmpeg (drawtext burn-in, the decode baseline of the
#                                 media bench), espeak-ng (speech for the speech-to-text test)
set -eu

need=""
missing_cmd() { ! command -v "$1" >/dev/null 2>&1; }

python3 -c "import ensurepip, venv" 2>/dev/null || need="$need python3-venv"
{ ldconfig -p 2>/dev/null || /sbin/ldconfig -p 2>/dev/null; } | grep -q libpangoft2-1.0.so.0 || need="$need libpango-1.0-0 libpangoft2-1.0-0"
[ -d /usr/share/fonts/opentype/noto ] || need="$need fonts-noto-cjk"
if [ "${1:-run}" = "test" ]; then
  missing_cmd chromium && need="$need chromium"
  missing_cmd ffmpeg && need="$need ffmpeg"
  missing_cmd espeak-ng && need="$need espeak-ng"
fi

[ -z "$need" ] && exit 0
echo "Installing system packages:$need"
SUDO=""
[ "$(id -u)" -ne 0 ] && SUDO="sudo"
$SUDO apt-get update -qq
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq $need
