# test/vm/lib.sh — shell functions shared by test/vm/setup.sh and test/vm/distro/build.sh (sourced,
# with CACHE set to test/vm/.cache and LOG_TAG naming the caller in log lines).

log() { printf '[%s %s] %s\n' "${LOG_TAG:-vm}" "$(date +%T)" "$*" >&2; }

SUDO=""; [ "$(id -u)" = 0 ] || SUDO=sudo

# apt-get update at most once per cache (a brand-new machine may have no package lists yet)
apt_update_once() {
  [ -e "$CACHE/apt-updated" ] && return 0
  log "apt-get update"
  $SUDO apt-get update -qq
  touch "$CACHE/apt-updated"
}

# need_packages PKG...: installs those of the host packages that are missing
need_packages() {
  missing=""
  for p in "$@"; do
    dpkg-query -W -f '${Status}\n' "$p" 2>/dev/null | grep -q 'install ok installed' || missing="$missing $p"
  done
  [ -n "$missing" ] || return 0
  apt_update_once
  log "installing:$missing"
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends $missing >/dev/null
}

# The URI of the Debian mirror apt is configured with (deb822 .sources or one-line sources.list),
# read at run time: the first entry that serves a bookworm suite from .../debian.
apt_mirror() {
  for f in /etc/apt/sources.list.d/*.sources; do
    [ -e "$f" ] || continue
    awk 'BEGIN{RS="";FS="\n"} /Suites:[^\n]*bookworm([ \n]|$)/ { for (i=1;i<=NF;i++) if ($i ~ /^URIs:/) { sub(/^URIs:[ \t]*/, "", $i); split($i, u, " "); print u[1]; exit } }' "$f"
  done | grep -E '/debian/?$' | head -n 1 | grep . && return 0
  cat /etc/apt/sources.list /etc/apt/sources.list.d/*.list 2>/dev/null \
    | awk '$1=="deb" && $0 ~ / bookworm / { for (i=2;i<=NF;i++) if ($i ~ /^[a-z]+:\/\//) { print $i; exit } }' \
    | grep -E '/debian/?$' | head -n 1 | grep .
}

# module_deps MODBASE KVER MODULE...: the .ko files the modules need, dependencies first, once each
# (-C /dev/null: the host's /etc/modprobe.d, e.g. ndctl's install rule for libnvdimm, must not apply)
module_deps() {
  mb=$1 kv=$2; shift 2
  for m in "$@"; do
    modprobe -C /dev/null -d "$mb" -S "$kv" --show-depends "$m" 2>/dev/null | awk '$1=="insmod"{print $2}'
  done | awk '!seen[$0]++'
}

# unpack_module FILE DEST: a module decompressed (busybox modprobe and insmod read only plain .ko)
unpack_module() {
  case "$1" in
    *.ko.xz)  xz -dc "$1" > "$2" ;;
    *.ko.zst) zstd -qdc "$1" > "$2" ;;
    *.ko.gz)  gzip -dc "$1" > "$2" ;;
    *)        cp "$1" "$2" ;;
  esac
}

# cpio_gz DIR OUT: DIR as a newc initramfs, gzipped, written atomically
cpio_gz() {
  (cd "$1" && find . | cpio -o -H newc -R 0:0 --quiet | gzip -1) > "$2.tmp"
  mv "$2.tmp" "$2"
}
