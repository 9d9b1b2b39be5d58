#!/usr/bin/env bash
# System packages beyond Python: a CJK font for the Chinese reports, Debian's Chromium for the browser test
# of the Dagster UI, a Java 17 runtime for Spark local mode and the PostgreSQL server binaries (initdb, pg_ctl)
# for the scale-out tests. Installed when running as root with apt-get; otherwise says what is missing.
set -u
missing=()
fc-list 2>/dev/null | grep -qiE "noto (sans|serif) cjk|wqy|source han" || missing+=(fonts-noto-cjk fontconfig)
command -v chromium >/dev/null 2>&1 || missing+=(chromium)
java_major=$(java -version 2>&1 | sed -nE 's/.*version "([0-9]+).*/\1/p' | head -n 1)
[ "${java_major:-0}" -ge 17 ] 2>/dev/null || missing+=(openjdk-17-jre-headless)
# Debian keeps initdb and pg_ctl under /usr/lib/postgresql/<version>/bin, off PATH.
{ command -v pg_ctl || compgen -G "/usr/lib/postgresql/*/bin/pg_ctl"; } >/dev/null 2>&1 || missing+=(postgresql)
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
