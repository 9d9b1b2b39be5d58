#!/usr/bin/env bash
# System packages the warehouse needs beyond Python: a CJK font for the Chinese reports.
# Installed when running as root with apt-get; otherwise says what is missing and goes on.
set -u
if fc-list 2>/dev/null | grep -qiE "noto (sans|serif) cjk|wqy|source han"; then
  exit 0
fi
if [ "$(id -u)" = "0" ] && command -v apt-get >/dev/null 2>&1; then
  echo "installing a CJK font (fonts-noto-cjk) for the Chinese reports"
  (apt-get install -y -qq fonts-noto-cjk fontconfig >/dev/null 2>&1 \
    || { apt-get update -qq >/dev/null 2>&1 && apt-get install -y -qq fonts-noto-cjk fontconfig >/dev/null 2>&1; }) \
    || echo "warning: could not install fonts-noto-cjk; Chinese text in rendered reports may not display"
else
  echo "note: no CJK font found; install fonts-noto-cjk (Debian/Ubuntu) for the Chinese reports"
fi
exit 0
