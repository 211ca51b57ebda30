// What the programs daxlayout runs on a host share: the root prefix, single-quoting, the
// refusal of a value that fails its pattern, and the sh functions both the capture and the
// apply program define (f: one file as a section; state: what an apply depends on).

/** A path prefix under which the programs see sysfs and /proc (tests: a fake tree). Empty on hosts. */
export type Root = string;

const ROOT_PATTERN = /^(|\/[A-Za-z0-9_.\/-]+[A-Za-z0-9_])$/;

/** Single-quotes a string for sh (a `'` inside becomes `'\''`). */
export function shQuote(s: string): string {
  return `'${s.replace(/'/g, `'\\''`)}'`;
}

export class ProgramRefused extends Error {}

export function root(r: Root): string {
  if (!ROOT_PATTERN.test(r) || r.includes('..'))
    throw new ProgramRefused(`root prefix \`${r}\` is not a plain absolute path`);
  return r;
}

// ------------------------------------------------------------------ helpers

/**
 * f PATH: a `### PATH` section with the file's first line; an unreadable file
 * gets a `Permission denied` line and a missing one `No such file or
 * directory` (what the facts reader understands). Forks nothing: on a slow
 * host a capture is mostly builtins.
 */
export const F = String.raw`f() {
  v=''
  if { true < "$R$1"; } 2>/dev/null; then
    { IFS= read -r v < "$R$1"; } 2>/dev/null
    printf '### %s\n%s\n' "$1" "$v"
  elif [ -e "$R$1" ]; then printf '### %s\ndaxlayout: %s: Permission denied\n' "$1" "$1"
  else printf '### %s\ndaxlayout: %s: No such file or directory\n' "$1" "$1"
  fi
}`;

/**
 * state: the part of the host an apply depends on — memory-block size and
 * policy, every dax region, device, mapping and driver, and the memory blocks
 * of the devices' target nodes. Deterministic: the apply program compares it
 * with what the plan was made from, under the lock, before any write.
 */
export const STATE = String.raw`state() {
  f /sys/devices/system/memory/block_size_bytes
  f /sys/devices/system/memory/auto_online_blocks
  regs=' '
  nodes=' '
  for l in "$R"/sys/bus/dax/devices/*; do
    [ -e "$l" ] || continue
    cd -P "$l" 2>/dev/null || continue
    p=${'$'}{PWD#"$R"}
    cd /
    p=${'$'}{p%/*}
    case "$regs" in *" $p "*) ;; *) regs="$regs$p " ;; esac
  done
  for p in $regs; do
    for a in id size align available_size; do f "$p/dax_region/$a"; done
    for d in "$R$p"/dax[0-9]*.[0-9]*; do
      [ -d "$d" ] || continue
      n=${'$'}{d##*/}
      d=${'$'}{d#"$R"}
      f "$d/target_node"
      case "$v" in '' | *[!0-9]*) ;; *) case "$nodes" in *" $v "*) ;; *) nodes="$nodes$v " ;; esac ;; esac
      for a in size align resource numa_node; do f "$d/$a"; done
      [ -e "$R$d/memmap_on_memory" ] && f "$d/memmap_on_memory"
      # 7.3+: kmem's \`state\` (only while bound to kmem; it records only changes made through it)
      [ -e "$R$d/state" ] && f "$d/state"
      for m in "$R$d"/mapping[0-9]*; do
        [ -d "$m" ] || continue
        m=${'$'}{m#"$R"}
        for a in start end page_offset; do f "$m/$a"; done
      done
      if cd -P "$R/sys/bus/dax/devices/$n/driver" 2>/dev/null; then
        printf '### /sys/bus/dax/devices/%s/driver -> %s\n' "$n" "${'$'}{PWD#"$R"}"
        cd /
      else
        printf '### /sys/bus/dax/devices/%s/driver\ndaxlayout: unbound: No such file or directory\n' "$n"
      fi
    done
  done
  for k in $nodes; do
    printf '### memory blocks of node%s\n' "$k"
    for b in "$R/sys/devices/system/node/node$k"/memory[0-9]*; do
      [ -e "$b" ] || continue
      s=''
      z=''
      x=''
      { IFS= read -r s < "$b/state"; } 2>/dev/null
      { IFS= read -r z < "$b/valid_zones"; } 2>/dev/null
      { IFS= read -r x < "$b/removable"; } 2>/dev/null
      printf '%s: state=%s zones=%s removable=%s node=%s\n' "${'$'}{b##*/}" "$s" "$z" "$x" "$k"
    done
  done
}`;
