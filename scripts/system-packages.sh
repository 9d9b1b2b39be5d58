#!/usr/bin/env bash
# System packages beyond Python: a CJK font for the Chinese reports, Debian's Chromium for the browser test
# of the Dagster UI. Installed when running as root with apt-get; otherwise says what is missing.
set -u
missing=()
fc-list 2>/dev/null | grep -qiE "noto (sans|serif) cjk|wqy|source han" || missing+=(fonts-noto-cjk fontconfig)
command -v chromium >/dev/null 2>&1 || missing+=(chromium)
[ ${#missing[@]} -eq 0 ] && exit 0
if [ "$(id -u)" = "0" ] && command -v apt-get >/dev/null 2>&1; then
  echo "installing system packages: ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get install -y -qq "${missing[@]}" >/dev/null 2>&1 \
    || { apt-get update -qq >/dev/null 2>&1 && apt-get install -y -qq "${missing[@]}" >/dev/null 2>&1; } \
    || echo "warning: could not install ${missing[*]}"
else
  echo "note: missing system packages: ${missing[*]} (install them with apt-get as root)"
fi
exit 0
