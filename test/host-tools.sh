#!/bin/sh
# test/host-tools.sh — the system tools the in-process suites run shell programs with: dash (the
# POSIX sh of Debian hosts) and busybox (the shell of minimal hosts and of the test guests).
# Installed once when missing, so that `npm test` passes on a clean Debian machine with only
# Node; returns at once when both are there. test/all.mjs runs it before the unit suite.
set -eu
missing=""
command -v dash >/dev/null 2>&1 || missing="$missing dash"
command -v busybox >/dev/null 2>&1 || missing="$missing busybox-static"
[ -z "$missing" ] && exit 0
SUDO=""; [ "$(id -u)" = 0 ] || SUDO=sudo
echo "[host-tools] installing:$missing" >&2
$SUDO apt-get update -qq
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends $missing >/dev/null
