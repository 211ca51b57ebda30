#!/bin/sh
# test/vm/setup.sh — prepares everything the real-kernel harness needs, idempotently.
# Installs the host packages (once), downloads and extracts Debian's 6.1 and 6.12 kernel
# debs (never installed; debs cached), makes the test SSH key pair and the guest's
# dropbear host key, and builds one initramfs per kernel. Everything lands in
# test/vm/.cache/ (gitignored). Re-running with the cache in place takes about a second.
#   sh test/vm/setup.sh            # both kernels
#   sh test/vm/setup.sh 6.12       # one kernel
#   VM_REBUILD=1 sh test/vm/setup.sh   # rebuild the initramfs images even if present
set -eu
HERE=$(cd "$(dirname "$0")" && pwd)
CACHE="$HERE/.cache"
mkdir -p "$CACHE/debs"
KERNELS=${*:-"6.1 6.12"}
log() { printf '[setup %s] %s\n' "$(date +%T)" "$*" >&2; }
t0=$(date +%s)

# ---- host packages -------------------------------------------------------------------
PKGS="qemu-system-x86 busybox-static ndctl daxctl dropbear-bin cpio kmod xz-utils zstd openssh-client"
missing=""
for p in $PKGS; do
  dpkg-query -W -f '${Status}\n' "$p" 2>/dev/null | grep -q 'install ok installed' || missing="$missing $p"
done
if [ -n "$missing" ]; then
  SUDO=""; [ "$(id -u)" = 0 ] || SUDO=sudo
  if [ ! -e "$CACHE/apt-updated" ]; then
    log "apt-get update"
    $SUDO apt-get update -qq
    touch "$CACHE/apt-updated"
  fi
  log "installing:$missing"
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends $missing >/dev/null
fi

# ---- kernel packages (resolved at run time, cached) ------------------------------------
resolve_pkg() { # $1 = 6.1 | 6.12  -> prints the linux-image package name
  case "$1" in
    6.1)  re='^linux-image-6\.1\.0-[0-9]+-amd64$' ;;
    6.12) re='^linux-image-6\.12\.[0-9.]+\+deb12-amd64$' ;;
    *) echo "unknown kernel $1" >&2; exit 2 ;;
  esac
  apt-cache search --names-only "$re" | awk '{print $1}' | grep -E "$re" | sort -V | tail -n 1
}

fetch_kernel() { # $1 = 6.1 | 6.12 ; sets KROOT KVER
  k=$1
  KDIR="$CACHE/kernel-$k"
  if [ -s "$KDIR/kver" ] && [ -d "$KDIR/root/lib/modules/$(cat "$KDIR/kver")" ]; then
    KROOT="$KDIR/root"; KVER=$(cat "$KDIR/kver"); return
  fi
  pkg=$(resolve_pkg "$k")
  if [ -z "$pkg" ] && [ ! -e "$CACHE/apt-updated" ]; then
    log "apt-get update (no $k kernel package known)"
    SUDO=""; [ "$(id -u)" = 0 ] || SUDO=sudo
    $SUDO apt-get update -qq; touch "$CACHE/apt-updated"
    pkg=$(resolve_pkg "$k")
  fi
  [ -n "$pkg" ] || { echo "setup: no linux-image package for $k in apt" >&2; exit 1; }
  deb=$(ls "$CACHE/debs/${pkg}_"*.deb 2>/dev/null | sort -V | tail -n 1 || true)
  if [ -z "$deb" ]; then
    log "downloading $pkg"
    sandbox=""; [ "$(id -u)" = 0 ] && sandbox="-o APT::Sandbox::User=root"
    (cd "$CACHE/debs" && apt-get download -qq $sandbox "$pkg")
    deb=$(ls "$CACHE/debs/${pkg}_"*.deb | sort -V | tail -n 1)
  fi
  log "extracting $(basename "$deb")"
  rm -rf "$KDIR"; mkdir -p "$KDIR"
  dpkg -x "$deb" "$KDIR/root"
  KROOT="$KDIR/root"
  KVER=$(ls "$KROOT/lib/modules" | head -n 1)
  # the deb ships no modules.dep (its postinst makes it): make it here for modprobe -d
  depmod -b "$KROOT" "$KVER"
  echo "$KVER" > "$KDIR/kver"
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

build_initramfs() { # $1 = 6.1 | 6.12 ; uses KROOT KVER
  k=$1
  out="$CACHE/kernel-$k"
  if [ -s "$out/initramfs.cpio.gz" ] && [ -z "${VM_REBUILD:-}" ] \
     && [ "$out/initramfs.cpio.gz" -nt "$HERE/setup.sh" ]; then return; fi
  log "building initramfs for $KVER"
  R="$out/initramfs"; rm -rf "$R"
  mkdir -p "$R"/bin "$R"/sbin "$R"/usr/bin "$R"/usr/sbin "$R"/etc "$R"/proc "$R"/sys "$R"/dev \
           "$R"/run "$R"/tmp "$R"/root/.ssh "$R"/etc/dropbear "$R"/var/log "$R/lib/modules/$KVER"
  cp /bin/busybox "$R/bin/busybox"
  for a in $("$R/bin/busybox" --list-full); do
    [ -e "$R/$a" ] || { mkdir -p "$R/$(dirname "$a")"; ln -s /bin/busybox "$R/$a"; }
  done
  copy_with_libs "$R" /usr/bin/daxctl /usr/bin/ndctl /usr/sbin/dropbear
  # modules and their dependencies, decompressed (busybox modprobe cannot read .ko.xz)
  for m in virtio_pci virtio_net device_dax dax_hmem kmem; do
    modprobe -d "$KROOT" -S "$KVER" --show-depends "$m" | awk '$1=="insmod"{print $2}'
  done | sort -u > "$out/modules.list"
  for m in device_dax dax_hmem kmem virtio_net; do
    grep -q "/$m\.ko" "$out/modules.list" || { echo "setup: module $m not found for $KVER" >&2; exit 1; }
  done
  while read -r f; do
    rel=${f#"$KROOT"}; dst="$R$rel"; mkdir -p "$(dirname "$dst")"
    case "$f" in
      *.ko.xz)  xz -dc "$f" > "${dst%.xz}" ;;
      *.ko.zst) zstd -qdc "$f" > "${dst%.zst}" ;;
      *.ko.gz)  gzip -dc "$f" > "${dst%.gz}" ;;
      *)        cp "$f" "$dst" ;;
    esac
  done < "$out/modules.list"
  for f in modules.builtin modules.builtin.modinfo modules.order; do
    [ -e "$KROOT/lib/modules/$KVER/$f" ] && cp "$KROOT/lib/modules/$KVER/$f" "$R/lib/modules/$KVER/"
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
ip link set lo up
ip link set eth0 up
ip addr add 10.0.2.15/24 dev eth0
ip route add default via 10.0.2.2
dropbear -r /etc/dropbear/host_key -s -E -p 22 2>/var/log/dropbear.log
echo "DAXLAYOUT-VM-READY $(uname -r)"
while :; do sleep 3600; done
INIT
  chmod 755 "$R/init"
  (cd "$R" && find . | cpio -o -H newc -R 0:0 --quiet | gzip -1) > "$out/initramfs.cpio.gz.tmp"
  mv "$out/initramfs.cpio.gz.tmp" "$out/initramfs.cpio.gz"
}

for k in $KERNELS; do
  fetch_kernel "$k"
  cp "$KROOT/boot/vmlinuz-$KVER" "$CACHE/kernel-$k/vmlinuz" 2>/dev/null || true
  build_initramfs "$k"
  log "$k ready: $KVER ($(du -h "$CACHE/kernel-$k/initramfs.cpio.gz" | cut -f1) initramfs)"
done
log "done in $(( $(date +%s) - t0 )) s"
