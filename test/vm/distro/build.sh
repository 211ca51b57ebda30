#!/bin/sh
# test/vm/distro/build.sh — builds the real-distro guest of the persist tests, idempotently:
# a Debian bookworm root (debootstrap: systemd, udev, OpenSSH, daxctl, kmod) on an ext4 disk
# image made without loop mounts (`mke2fs -d`), holding the module trees of the Debian 6.1,
# 6.12 and 7.3 kernels that test/vm/setup.sh extracts, plus one small busybox initrd per kernel that
# mounts the disk and switches to systemd. Everything lands in test/vm/.cache/distro/.
# The SSH client key is test/vm's (test/vm/.cache/keys/id_ed25519); the guest gets its own
# fixed ed25519 host key, pinned in .cache/distro/known_hosts under the alias daxlayout-distro.
# Host packages, the mirror, module lists and initramfs packing come from test/vm/lib.sh, as for
# test/vm/setup.sh.
#   sh test/vm/distro/build.sh              # about 1.5 min the first time, 0.1 s cached
#   DISTRO_REBUILD=1 sh test/vm/distro/build.sh   # rebuild the image and initrds from the cached root
set -eu
HERE=$(cd "$(dirname "$0")" && pwd)
VM=$(dirname "$HERE")
CACHE="$VM/.cache"   # test/vm's cache, for lib.sh (apt marker); this guest's files go to $DCACHE
KEYS="$VM/.cache/keys"
LOG_TAG=distro
. "$VM/lib.sh"
t0=$(date +%s)
# kernels (extracted, never installed) and the test key pair: test/vm's cache
sh "$VM/setup.sh" 6.1 6.12 7.3
need_packages debootstrap e2fsprogs cpio busybox-static kmod xz-utils zstd openssh-client
CACHE="$VM/.cache/distro"
mkdir -p "$CACHE"

# ---- the root file system ------------------------------------------------------------
# Between builds the root is kept as root.tar, so that no tool crawling the work tree (tsc,
# vitest, grep -r) walks a whole Debian system.
ROOT="$CACHE/root"
if [ -s "$CACHE/root.tar" ] && [ ! -d "$ROOT" ] && { [ ! -s "$CACHE/base.img" ] || [ ! -e "$CACHE/configured" ] || [ "$HERE/build.sh" -nt "$CACHE/configured" ] || [ -n "${DISTRO_REBUILD:-}" ]; }; then
  mkdir -p "$ROOT"; tar -C "$ROOT" -xf "$CACHE/root.tar"
fi
if [ ! -e "$CACHE/root.done" ]; then
  # from the mirror apt is configured with (DISTRO_MIRROR overrides it)
  MIRROR=${DISTRO_MIRROR:-$(apt_mirror)} || { echo "distro: no Debian mirror found in apt's configuration" >&2; exit 1; }
  log "debootstrap bookworm from $MIRROR (about 1 min)"
  rm -rf "$ROOT"
  debootstrap --variant=minbase \
    --include=systemd-sysv,udev,dbus,openssh-server,daxctl,ndctl,kmod,iproute2,procps \
    bookworm "$ROOT" "$MIRROR" > "$CACHE/debootstrap.log" 2>&1 \
    || { tail -n 20 "$CACHE/debootstrap.log" >&2; exit 1; }
  touch "$CACHE/root.done"
  rm -f "$CACHE/configured"
fi

if [ ! -e "$CACHE/configured" ] || [ "$HERE/build.sh" -nt "$CACHE/configured" ]; then
  log "configuring the root"
  for k in 6.1 6.12 7.3; do
    kver=$(cat "$VM/.cache/kernel-$k/kver")
    # the tree holding lib/modules: the unpacked root (6.1, 6.12) or its usr/ (6.18 and later)
    mb=$(cat "$VM/.cache/kernel-$k/modbase")
    if [ ! -d "$ROOT/lib/modules/$kver" ]; then
      mkdir -p "$ROOT/lib/modules"
      cp -a "$mb/lib/modules/$kver" "$ROOT/lib/modules/"
      chroot "$ROOT" depmod "$kver"
    fi
  done
  # SSH: the test's client key; a fixed host key, pinned
  [ -s "$CACHE/ssh_host_ed25519_key" ] || ssh-keygen -q -t ed25519 -N '' -C daxlayout-distro -f "$CACHE/ssh_host_ed25519_key"
  rm -f "$ROOT"/etc/ssh/ssh_host_*
  cp "$CACHE/ssh_host_ed25519_key" "$CACHE/ssh_host_ed25519_key.pub" "$ROOT/etc/ssh/"
  chmod 600 "$ROOT/etc/ssh/ssh_host_ed25519_key"
  printf 'HostKey /etc/ssh/ssh_host_ed25519_key\nUseDNS no\n' > "$ROOT/etc/ssh/sshd_config.d/daxlayout-test.conf"
  printf 'daxlayout-distro %s\n' "$(cut -d' ' -f1,2 "$CACHE/ssh_host_ed25519_key.pub")" > "$CACHE/known_hosts"
  mkdir -p "$ROOT/root/.ssh"
  cp "$KEYS/id_ed25519.pub" "$ROOT/root/.ssh/authorized_keys"
  chmod 700 "$ROOT/root" "$ROOT/root/.ssh"; chmod 600 "$ROOT/root/.ssh/authorized_keys"
  echo daxguest > "$ROOT/etc/hostname"
  printf '127.0.0.1 localhost\n127.0.1.1 daxguest\n' > "$ROOT/etc/hosts"
  echo '/dev/vda / ext4 rw,errors=remount-ro 0 1' > "$ROOT/etc/fstab"
  mkdir -p "$ROOT/etc/systemd/network"
  printf '[Match]\nName=en* eth*\n\n[Network]\nDHCP=ipv4\n' > "$ROOT/etc/systemd/network/20-wired.network"
  chroot "$ROOT" systemctl enable systemd-networkd.service >/dev/null 2>&1
  # "no dimms to monitor" would leave the system degraded
  chroot "$ROOT" systemctl disable ndctl-monitor.service >/dev/null 2>&1 || true
  chroot "$ROOT" systemctl mask ndctl-monitor.service >/dev/null 2>&1 || true
  # the journal of a boot is all the tests read; keep it in memory
  mkdir -p "$ROOT/etc/systemd/journald.conf.d"
  printf '[Journal]\nStorage=volatile\n' > "$ROOT/etc/systemd/journald.conf.d/volatile.conf"
  touch "$CACHE/configured"
  rm -f "$CACHE/base.img"
fi

# ---- the disk image --------------------------------------------------------------------
if [ ! -s "$CACHE/base.img" ] || [ -n "${DISTRO_REBUILD:-}" ]; then
  log "making the disk image"
  rm -f "$CACHE/base.img.tmp"
  mke2fs -q -t ext4 -L daxroot -d "$ROOT" "$CACHE/base.img.tmp" 3G
  mv "$CACHE/base.img.tmp" "$CACHE/base.img"
fi
if [ -d "$ROOT" ]; then
  tar -C "$ROOT" -cf "$CACHE/root.tar.tmp" . && mv "$CACHE/root.tar.tmp" "$CACHE/root.tar" && rm -rf "$ROOT"
fi

# ---- one initrd per kernel: busybox, virtio-blk and ext4, switch_root to systemd -------
for k in 6.1 6.12 7.3; do
  out="$CACHE/initrd-$k.cpio.gz"
  if [ -s "$out" ] && [ -z "${DISTRO_REBUILD:-}" ] && [ "$out" -nt "$HERE/build.sh" ]; then continue; fi
  KROOT=$(cat "$VM/.cache/kernel-$k/modbase")
  KVER=$(cat "$VM/.cache/kernel-$k/kver")
  log "initrd for $KVER"
  R="$CACHE/initrd-$k"; rm -rf "$R"
  mkdir -p "$R/bin" "$R/proc" "$R/sys" "$R/dev" "$R/newroot" "$R/lib/modules"
  cp /bin/busybox "$R/bin/busybox"
  for a in sh mount umount insmod switch_root sleep mkdir echo cat; do ln -s busybox "$R/bin/$a"; done
  # crc32c first: insmod does not resolve ext4's soft dependency on it
  : > "$R/modules.list"
  module_deps "$KROOT" "$KVER" crc32c_generic crc32c-intel virtio_pci virtio_blk ext4 | while read -r f; do
    base=$(basename "$f"); base=${base%.xz}; base=${base%.zst}; base=${base%.gz}
    unpack_module "$f" "$R/lib/modules/$base"
    echo "$base" >> "$R/modules.list"
  done
  cat > "$R/init" <<'INIT'
#!/bin/sh
mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t devtmpfs devtmpfs /dev
while read -r m; do insmod "/lib/modules/$m" 2>/dev/null; done < /modules.list
root=/dev/vda
for w in $(cat /proc/cmdline); do case "$w" in root=*) root=${w#root=} ;; esac; done
i=0
while [ ! -b "$root" ] && [ $i -lt 100 ]; do sleep 0.1; i=$((i + 1)); done
mount -t ext4 -o rw "$root" /newroot || { echo "initrd: cannot mount $root"; exec sh; }
umount /proc /sys
mount --move /dev /newroot/dev 2>/dev/null || umount /dev
exec switch_root /newroot /sbin/init
INIT
  chmod 755 "$R/init"
  cpio_gz "$R" "$out"
done
log "ready in $(( $(date +%s) - t0 )) s: $(du -h --apparent-size "$CACHE/base.img" | cut -f1) image ($(du -h "$CACHE/base.img" | cut -f1) used)"
