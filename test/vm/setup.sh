#!/bin/sh
# test/vm/setup.sh — prepares everything the real-kernel harness needs, idempotently.
# Installs the host packages (once), downloads and extracts Debian's 6.1, 6.12, 6.18, 7.2 and
# 7.3 kernel debs (never installed; debs cached; 6.18+ come from trixie-backports, added to apt
# only for the download), makes the test SSH key pair and the guest's
# dropbear host key, and builds one initramfs per kernel. For the CXL machines (6.12, 6.18, 7.2 and 7.3) it
# also unpacks QEMU 10 from bookworm-backports (cxl-type3 volatile-memdev needs QEMU 8+; never
# installed) and builds a second initramfs with the CXL modules. Everything lands in
# test/vm/.cache/ (gitignored). Re-running with the cache in place takes about a second.
#   sh test/vm/setup.sh            # every kernel
#   sh test/vm/setup.sh 7.3        # one kernel
#   VM_REBUILD=1 sh test/vm/setup.sh   # rebuild the initramfs images even if present
set -eu
HERE=$(cd "$(dirname "$0")" && pwd)
CACHE="$HERE/.cache"
mkdir -p "$CACHE/debs"
KERNELS=${*:-"6.1 6.12 6.18 7.2 7.3"}
LOG_TAG=setup
. "$HERE/lib.sh"
for k in $KERNELS; do
  case "$k" in 6.1|6.12|6.18|7.2|7.3) ;; *) echo "setup: unknown kernel $k (6.1, 6.12, 6.18, 7.2 or 7.3)" >&2; exit 2 ;; esac
done
t0=$(date +%s)

# ---- host packages -------------------------------------------------------------------
need_packages qemu-system-x86 busybox-static ndctl daxctl dropbear-bin cpio kmod xz-utils zstd openssh-client

# ---- kernel packages (resolved at run time, cached) ------------------------------------
# 6.1 and 6.12 are in the suites apt already lists (bookworm). 6.18, 7.2 and 7.3 are only in
# trixie-backports: that suite is added for the download only (see with_extra_suite).
suite_of() { case "$1" in 6.1|6.12) echo "" ;; *) echo trixie-backports ;; esac; }
# kernels that also get the CXL initramfs (initramfs-cxl.cpio.gz) and need QEMU 10
CXL_KERNELS="6.12 6.18 7.2 7.3"
resolve_pkg() { # $1 = 6.1 | 6.12 | 6.18 | 7.2 | 7.3 -> prints the package that holds the kernel's modules
  case "$1" in
    6.1)  re='^linux-image-6\.1\.0-[0-9]+-amd64$' ;;
    6.12) re='^linux-image-6\.12\.[0-9.]+\+deb12-amd64$' ;;
    6.18) re='^linux-image-6\.18\.[0-9.]+\+deb13-amd64$' ;;
    # from 6.19 on linux-image-* is a metapackage: the modules are in linux-modules-*, the image
    # in linux-binary-* (resolve on the modules package: not every listed image has one)
    7.2)  re='^linux-modules-7\.2\.[0-9.]+\+deb13-amd64$' ;;
    7.3)  re='^linux-modules-7\.3\.[0-9.]+\+deb13-amd64$' ;;
    *) echo "unknown kernel $1" >&2; exit 2 ;;
  esac
  apt-cache search --names-only "$re" | awk '{print $1}' | grep -E "$re" | sort -V | tail -n 1
}
EXTRA_SRC=/etc/apt/sources.list.d/daxlayout-vm-extra.list
EXTRA_PIN=/etc/apt/preferences.d/daxlayout-vm-extra
remove_extra_suite() {
  [ -e "$EXTRA_SRC" ] || [ -e "$EXTRA_PIN" ] || return 0
  log "removing the temporary apt suite"
  $SUDO rm -f "$EXTRA_SRC" "$EXTRA_PIN"
  $SUDO apt-get update -qq || true
}
EXTRA_ON=""
add_extra_suite() { # $1 = suite; added once, pinned to priority 1, removed on exit (trap)
  [ "$EXTRA_ON" = "$1" ] && return 0
  mirror=$(apt_mirror) || { echo "setup: no Debian mirror found in apt's configuration" >&2; exit 1; }
  log "adding $1 from $mirror temporarily (pinned to priority 1)"
  trap 'remove_extra_suite' EXIT
  trap 'exit 130' INT TERM HUP
  kr=/usr/share/keyrings/debian-archive-keyring.gpg
  opt=""; [ -e "$kr" ] && opt="[signed-by=$kr] "
  echo "deb $opt$mirror $1 main" | $SUDO tee "$EXTRA_SRC" >/dev/null
  printf 'Package: *\nPin: release n=%s\nPin-Priority: 1\n' "$1" | $SUDO tee "$EXTRA_PIN" >/dev/null
  $SUDO apt-get update -qq
  EXTRA_ON=$1
}

download() { # $@ = package names -> into $CACHE/debs (skips those already there)
  sandbox=""; [ "$(id -u)" = 0 ] && sandbox="-o APT::Sandbox::User=root"
  for p in "$@"; do
    ls "$CACHE/debs/${p}_"*.deb >/dev/null 2>&1 && continue
    log "downloading $p"
    (cd "$CACHE/debs" && apt-get download -qq $sandbox "$p")
  done
}
newest_deb() { ls "$CACHE/debs/${1}_"*.deb 2>/dev/null | sort -V | tail -n 1; }

fetch_kernel() { # $1 = kernel ; sets KROOT (unpacked debs) MODBASE (the dir holding lib/modules) KVER
  k=$1
  KDIR="$CACHE/kernel-$k"
  if [ -s "$KDIR/kver" ] && [ -s "$KDIR/modbase" ] && [ -d "$(cat "$KDIR/modbase")/lib/modules/$(cat "$KDIR/kver")" ]; then
    KROOT="$KDIR/root"; MODBASE=$(cat "$KDIR/modbase"); KVER=$(cat "$KDIR/kver"); return
  fi
  suite=$(suite_of "$k")
  pkg=""
  # a package cached by an earlier run is used as is (no apt access needed)
  if [ -s "$KDIR/package" ] && [ -n "$(newest_deb "$(cat "$KDIR/package")")" ]; then pkg=$(cat "$KDIR/package"); fi
  if [ -z "$pkg" ]; then
    if [ -n "$suite" ]; then add_extra_suite "$suite"; fi
    pkg=$(resolve_pkg "$k")
    if [ -z "$pkg" ] && [ -z "$suite" ]; then apt_update_once; pkg=$(resolve_pkg "$k"); fi
  fi
  [ -n "$pkg" ] || { echo "setup: no kernel package for $k in apt" >&2; exit 1; }
  case "$pkg" in
    linux-modules-*) # split packaging (6.19+): modules + binary (+ base: modules.order, modules.builtin*)
      ver=${pkg#linux-modules-}
      pkgs="linux-modules-$ver linux-binary-$ver"; optional="linux-base-$ver" ;;
    *) pkgs=$pkg; optional="" ;;
  esac
  need=""
  for p in $pkgs; do [ -n "$(newest_deb "$p")" ] || need="$need $p"; done
  if [ -n "$need" ]; then
    if [ -n "$suite" ]; then add_extra_suite "$suite"; fi
    download $need
    # linux-base-* (modules.order, modules.builtin*) is not always in the archive: take it when it is
    for p in $optional; do
      if apt-cache show "$p" >/dev/null 2>&1; then download "$p"; else log "$p not in apt (optional)"; fi
    done
  fi
  rm -rf "$KDIR"; mkdir -p "$KDIR"
  for p in $pkgs $optional; do
    deb=$(newest_deb "$p")
    [ -n "$deb" ] || continue
    log "extracting $(basename "$deb")"
    dpkg -x "$deb" "$KDIR/root"
  done
  KROOT="$KDIR/root"
  # bookworm: lib/modules; trixie and later: usr/lib/modules
  if [ -d "$KROOT/lib/modules" ]; then MODBASE="$KROOT"; else MODBASE="$KROOT/usr"; fi
  KVER=$(ls "$MODBASE/lib/modules" | head -n 1)
  # the deb ships no modules.dep (its postinst makes it): make it here for modprobe -d
  depmod -b "$MODBASE" "$KVER"
  echo "$KVER" > "$KDIR/kver"
  echo "$MODBASE" > "$KDIR/modbase"
  echo "$pkg" > "$KDIR/package"
}

# ---- keys ------------------------------------------------------------------------------
KEYS="$CACHE/keys"
mkdir -p "$KEYS"; chmod 700 "$KEYS"
[ -s "$KEYS/id_ed25519" ] || ssh-keygen -q -t ed25519 -N '' -C daxlayout-vm-test -f "$KEYS/id_ed25519"
[ -s "$KEYS/dropbear_ed25519_host_key" ] || dropbearkey -t ed25519 -f "$KEYS/dropbear_ed25519_host_key" >/dev/null 2>&1
# The guest's host key, pinned under an alias: ssh uses -o HostKeyAlias=daxlayout-vm,
# so the entry holds for whichever port a run forwards.
printf 'daxlayout-vm %s\n' "$(dropbearkey -y -f "$KEYS/dropbear_ed25519_host_key" | grep '^ssh-ed25519' | cut -d' ' -f1,2)" > "$KEYS/known_hosts"

# ---- initramfs -------------------------------------------------------------------------
copy_with_libs() { # $1 = root, rest = binaries (absolute host paths)
  r=$1; shift
  for b in "$@"; do
    mkdir -p "$r$(dirname "$b")"; cp -L "$b" "$r$b"
    ldd "$b" | grep -oE '/[^ ]+' | while read -r lib; do
      [ -e "$r$lib" ] && continue
      mkdir -p "$r$(dirname "$lib")"; cp -L "$lib" "$r$lib"
    done
  done
}

build_initramfs() { # $1 = kernel, $2 = "" or cxl (adds the CXL modules) ; uses MODBASE KVER
  k=$1
  variant=${2:-}
  out="$CACHE/kernel-$k"
  name=initramfs${variant:+-$variant}
  MODS="virtio_pci virtio_net device_dax dax_hmem kmem"
  # cxl_core and cxl_port are built in (CXL_BUS=y, CXL_PORT=y); on 7.3 dax_cxl pulls in dax_hmem
  [ "$variant" = cxl ] && MODS="$MODS cxl_acpi cxl_pci cxl_mem dax_cxl"
  if [ -s "$out/$name.cpio.gz" ] && [ -z "${VM_REBUILD:-}" ] \
     && [ "$out/$name.cpio.gz" -nt "$HERE/setup.sh" ] && [ "$out/$name.cpio.gz" -nt "$HERE/lib.sh" ]; then return; fi
  log "building $name for $KVER"
  R="$out/$name"; rm -rf "$R"
  mkdir -p "$R"/bin "$R"/sbin "$R"/usr/bin "$R"/usr/sbin "$R"/etc "$R"/proc "$R"/sys "$R"/dev \
           "$R"/run "$R"/tmp "$R"/root/.ssh "$R"/etc/dropbear "$R"/var/log "$R/lib/modules/$KVER"
  cp /bin/busybox "$R/bin/busybox"
  for a in $("$R/bin/busybox" --list-full); do
    [ -e "$R/$a" ] || { mkdir -p "$R/$(dirname "$a")"; ln -s /bin/busybox "$R/$a"; }
  done
  copy_with_libs "$R" /usr/bin/daxctl /usr/bin/ndctl /usr/sbin/dropbear
  # modules and their dependencies, decompressed (busybox modprobe cannot read .ko.xz)
  # -C /dev/null: the host's /etc/modprobe.d (ndctl's install rule for libnvdimm) must not apply
  module_deps "$MODBASE" "$KVER" $MODS > "$out/$name.modules"
  for m in $MODS; do
    [ "$m" = virtio_pci ] && continue
    grep -q "/$m\.ko" "$out/$name.modules" || { echo "setup: module $m not found for $KVER" >&2; exit 1; }
  done
  while read -r f; do
    rel=${f#"$MODBASE"}; dst="$R$rel"; mkdir -p "$(dirname "$dst")"
    dst=${dst%.xz}; dst=${dst%.zst}; dst=${dst%.gz}
    unpack_module "$f" "$dst"
  done < "$out/$name.modules"
  for f in modules.builtin modules.builtin.modinfo modules.order; do
    [ -e "$MODBASE/lib/modules/$KVER/$f" ] && cp "$MODBASE/lib/modules/$KVER/$f" "$R/lib/modules/$KVER/"
  done
  depmod -b "$R" "$KVER"
  echo 'root:x:0:0:root:/root:/bin/sh' > "$R/etc/passwd"
  echo 'root:x:0:' > "$R/etc/group"
  printf '/bin/sh\n' > "$R/etc/shells"
  cp "$KEYS/dropbear_ed25519_host_key" "$R/etc/dropbear/host_key"
  cp "$KEYS/id_ed25519.pub" "$R/root/.ssh/authorized_keys"
  chmod 700 "$R/root" "$R/root/.ssh"; chmod 600 "$R/root/.ssh/authorized_keys" "$R/etc/dropbear/host_key"
  cat > "$R/init" <<'INIT'
#!/bin/sh
export PATH=/usr/sbin:/usr/bin:/sbin:/bin
mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t devtmpfs devtmpfs /dev
mkdir -p /dev/pts && mount -t devpts devpts /dev/pts
mount -t tmpfs tmpfs /run
mount -t tmpfs tmpfs /tmp
for m in virtio_pci virtio_net device_dax kmem; do modprobe $m; done
# dax_hmem options from the kernel command line (e.g. dax_hmem.region_idle=1)
opts=""
for w in $(cat /proc/cmdline); do
  case "$w" in dax_hmem.*=*) opts="$opts ${w#dax_hmem.}" ;; esac
done
modprobe dax_hmem $opts
# CXL machines (initramfs-cxl, kernel argument daxlayout.cxl=N: N type-3 memdevs expected): load
# the CXL drivers and wait (at most 60 s) until every memdev has its endpoint port, so that the
# topology is complete before the ready marker
n=""
for w in $(cat /proc/cmdline); do case "$w" in daxlayout.cxl=*) n=${w#daxlayout.cxl=} ;; esac; done
if [ -n "$n" ]; then
  for m in cxl_acpi cxl_pci cxl_mem dax_cxl; do modprobe $m; done
  i=0
  while [ "$(ls -d /sys/bus/cxl/devices/endpoint* 2>/dev/null | wc -l)" -lt "$n" ] && [ $i -lt 600 ]; do sleep 0.1; i=$((i+1)); done
  echo "daxlayout: $(ls -d /sys/bus/cxl/devices/endpoint* 2>/dev/null | wc -l) of $n CXL endpoints after $i polls"
fi
ip link set lo up
ip link set eth0 up
ip addr add 10.0.2.15/24 dev eth0
ip route add default via 10.0.2.2
dropbear -r /etc/dropbear/host_key -s -E -p 22 2>/var/log/dropbear.log
echo "DAXLAYOUT-VM-READY $(uname -r)"
while :; do sleep 3600; done
INIT
  chmod 755 "$R/init"
  cpio_gz "$R" "$out/$name.cpio.gz"
}

# ---- QEMU 10 for the CXL machines (cxl-type3 volatile-memdev= needs QEMU 8+; bookworm has 7.2) --
# bookworm-backports is added for the download only (as trixie-backports above), the three debs
# are unpacked with dpkg -x into .cache/qemu10 and run from there with QEMU_MODULE_DIR; the BIOS
# and option ROMs come from the host's seabios and ipxe-qemu (installed with qemu-system-x86).
QEMU10="$CACHE/qemu10"
fetch_qemu10() {
  [ -x "$QEMU10/usr/bin/qemu-system-x86_64" ] && return 0
  qpkgs="qemu-system-x86 qemu-system-common qemu-system-data"
  need=""
  for p in $qpkgs; do ls "$CACHE/debs/${p}_"*bpo12*.deb >/dev/null 2>&1 || need="$need $p"; done
  if [ -n "$need" ]; then
    add_extra_suite bookworm-backports
    sandbox=""; [ "$(id -u)" = 0 ] && sandbox="-o APT::Sandbox::User=root"
    for p in $need; do
      log "downloading $p from bookworm-backports"
      (cd "$CACHE/debs" && apt-get download -qq $sandbox "$p/bookworm-backports")
    done
  fi
  rm -rf "$QEMU10.tmp"; mkdir -p "$QEMU10.tmp"
  for p in $qpkgs; do
    deb=$(ls "$CACHE/debs/${p}_"*bpo12*.deb | sort -V | tail -n 1)
    log "extracting $(basename "$deb")"
    dpkg -x "$deb" "$QEMU10.tmp"
  done
  v=$(QEMU_MODULE_DIR="$QEMU10.tmp/usr/lib/x86_64-linux-gnu/qemu" "$QEMU10.tmp/usr/bin/qemu-system-x86_64" --version | head -n 1)
  case "$v" in *"version "[89].*|*"version "[1-9][0-9].*) ;; *) echo "setup: bookworm-backports QEMU is too old for cxl-type3 volatile-memdev: $v" >&2; exit 1 ;; esac
  rm -rf "$QEMU10"; mv "$QEMU10.tmp" "$QEMU10"
  log "QEMU for CXL: $v"
}
for k in $KERNELS; do
  case " $CXL_KERNELS " in *" $k "*) fetch_qemu10; break ;; esac
done

for k in $KERNELS; do
  fetch_kernel "$k"
  # bookworm and 6.18: boot/vmlinuz-KVER; 6.19+ (linux-binary-*): usr/lib/modules/KVER/vmlinuz
  for v in "$KROOT/boot/vmlinuz-$KVER" "$MODBASE/lib/modules/$KVER/vmlinuz"; do
    [ -s "$v" ] && { cp "$v" "$CACHE/kernel-$k/vmlinuz"; break; }
  done
  [ -s "$CACHE/kernel-$k/vmlinuz" ] || { echo "setup: no vmlinuz for $KVER" >&2; exit 1; }
  build_initramfs "$k"
  case " $CXL_KERNELS " in *" $k "*) build_initramfs "$k" cxl ;; esac
  log "$k ready: $KVER ($(du -h "$CACHE/kernel-$k/initramfs.cpio.gz" | cut -f1) initramfs)"
done
log "done in $(( $(date +%s) - t0 )) s"
