// The POSIX sh programs daxlayout runs on a host, fed to `sh -s`: the capture
// (read-only), and the apply program (lock, guard, writes). They need only a
// POSIX shell and sysfs (busybox sh works): no daxctl, no Node. Everything put
// into a program is checked against a strict pattern and single-quoted; a
// value that fails its pattern is refused before anything runs.

import { PERSIST_PATHS } from '../core/persist/artifacts';

/** A path prefix under which the programs see sysfs and /proc (tests: a fake tree). Empty on hosts. */
export type Root = string;

const ROOT_PATTERN = /^(|\/[A-Za-z0-9_.\/-]+[A-Za-z0-9_])$/;

/** Single-quotes a string for sh (a `'` inside becomes `'\''`). */
export function shQuote(s: string): string {
  return `'${s.replace(/'/g, `'\\''`)}'`;
}

export class ProgramRefused extends Error {}

function root(r: Root): string {
  if (!ROOT_PATTERN.test(r) || r.includes('..')) throw new ProgramRefused(`root prefix \`${r}\` is not a plain absolute path`);
  return r;
}

// ------------------------------------------------------------------ helpers

/**
 * f PATH: a `### PATH` section with the file's first line; an unreadable file
 * gets a `Permission denied` line and a missing one `No such file or
 * directory` (what the facts reader understands). Forks nothing: on a slow
 * host a capture is mostly builtins.
 */
const F = String.raw`f() {
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
const STATE = String.raw`state() {
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

/** The capture section listing the persist artifacts present on the host (one path a line). */
export const PERSIST_FILES_SECTION = 'daxlayout persist files';
const PERSIST_FILE_LIST = Object.values(PERSIST_PATHS).join(' ');

/** The rest of the facts: kernel, architecture, page size, hugepages, NUMA nodes and HMAT; which persist artifacts are installed. */
const HOST = String.raw`hostinfo() {
  printf '### uname -m\n'
  uname -m
  f /proc/sys/kernel/osrelease
  f /proc/sys/kernel/hostname
  if command -v getconf >/dev/null 2>&1; then
    printf '### getconf PAGESIZE\n'
    getconf PAGESIZE
  elif [ -r "$R/proc/self/smaps" ]; then
    pagesize < "$R/proc/self/smaps"
  fi
  printf '### id -u\n'
  id -u
  f /sys/kernel/mm/transparent_hugepage/enabled
  f /sys/module/memory_hotplug/parameters/memmap_on_memory
  f /sys/module/dax_hmem/parameters/region_idle
  # which of the persist artifacts (docs/persist.md) are on the host: apply installs, verifies
  # or removes them; a host without any needs no extra round trip
  printf '### ${PERSIST_FILES_SECTION}\n'
  for pf in ${PERSIST_FILE_LIST}; do
    if [ -e "$R$pf" ]; then printf '%s\n' "$pf"; fi
  done
  # the firmware's NUMA tables: HMAT facts of nodes whose memory is not online (docs/facts.md)
  for t in SRAT HMAT; do
    [ -e "$R/sys/firmware/acpi/tables/$t" ] || continue
    if { true < "$R/sys/firmware/acpi/tables/$t"; } 2>/dev/null; then
      command -v od >/dev/null 2>&1 || continue
      printf '### /sys/firmware/acpi/tables/%s (od -An -v -tx1)\n' "$t"
      od -An -v -tx1 "$R/sys/firmware/acpi/tables/$t"
    else
      printf '### /sys/firmware/acpi/tables/%s\ndaxlayout: /sys/firmware/acpi/tables/%s: Permission denied\n' "$t" "$t"
    fi
  done
  printf '### /proc/iomem (hmem, soft reserved, dax, cxl, System RAM)\n'
  if { true < "$R/proc/iomem"; } 2>/dev/null; then
    while IFS= read -r line; do
      case "$line" in *hmem* | *dax* | *'Soft Reserved'* | *'System RAM'* | *region* | *CXL*) printf '%s\n' "$line" ;; esac
    done < "$R/proc/iomem"
  fi
  printf '### /sys/devices/system/node/{online,possible,has_memory,has_cpu}\n'
  for a in online possible has_memory has_cpu has_normal_memory; do
    v=''
    { IFS= read -r v < "$R/sys/devices/system/node/$a"; } 2>/dev/null
    printf '%s: %s\n' "$a" "$v"
  done
  for nd in "$R"/sys/devices/system/node/node[0-9]*; do
    [ -d "$nd" ] || continue
    nd=${'$'}{nd#"$R"}
    # a binary attribute since 5.19: busybox's read builtin gets nothing from it
    printf '### %s/cpulist\n' "$nd"
    cat "$R$nd/cpulist" 2>/dev/null || echo
    if { true < "$R$nd/meminfo"; } 2>/dev/null; then
      printf '### %s/meminfo\n' "$nd"
      while IFS= read -r line; do
        case "$line" in *MemTotal:*) printf '%s\n' "$line" ;; esac
      done < "$R$nd/meminfo"
    fi
    for k in 0 1; do
      ac="$nd/access$k/initiators"
      [ -d "$R$ac" ] || continue
      for a in read_latency write_latency read_bandwidth write_bandwidth; do
        [ -e "$R$ac/$a" ] && f "$ac/$a"
      done
      for i in "$R$ac"/node[0-9]*; do
        [ -e "$i" ] && printf '### %s -> ../../%s\n' "${'$'}{i#"$R"}" "${'$'}{i##*/}"
      done
    done
    for c in "$R$nd"/memory_side_cache/index[0-9]*; do
      [ -d "$c" ] || continue
      c=${'$'}{c#"$R"}
      for a in size line_size indexing write_policy address_mode; do
        [ -e "$R$c/$a" ] && f "$c/$a"
      done
    done
  done
}
pagesize() {
  while IFS= read -r line; do
    case "$line" in
      KernelPageSize:*)
        set -- $line
        printf '### page size\n%s\n' "$(($2 * 1024))"
        return
        ;;
    esac
  done
}`;

export const STATE_BEGIN = '### daxlayout state begin';
export const STATE_END = '### daxlayout state end';

/** The read-only capture: one program, one round trip; prints the capture dump of docs/facts.md. */
export function captureProgram(r: Root = ''): string {
  return [
    '# daxlayout facts capture (read-only)',
    F,
    STATE,
    HOST,
    'main() {',
    '  exec 2>&1',
    '  hostinfo',
    `  printf '%s\\n' '${STATE_BEGIN}'`,
    '  state',
    `  printf '%s\\n' '${STATE_END}'`,
    '}',
    'LC_ALL=C',
    'export LC_ALL',
    `R=${shQuote(root(r))}`,
    'main',
    '',
  ].join('\n');
}

/** The state part of a capture's output (between the markers, trailing newlines dropped). */
export function stateText(captureOutput: string): string | undefined {
  const lines = captureOutput.split('\n');
  const b = lines.indexOf(STATE_BEGIN);
  const e = lines.indexOf(STATE_END);
  if (b < 0 || e < b) return undefined;
  return lines.slice(b + 1, e).join('\n').replace(/\n+$/, '');
}

// ------------------------------------------------------------------ writes

const DEC = /^(?:0|[1-9][0-9]{0,19})$/;
const DAX = /^dax[0-9]{1,9}\.[0-9]{1,9}$/;
const SYSFS_DEVICE = /^\/sys\/devices(?:\/[A-Za-z0-9_:+][A-Za-z0-9_.:+-]{0,127}){1,16}$/;

/** Why a planned write cannot go into a program (undefined: it may). */
export function writeProblem(path: string, value: string): string | undefined {
  const bad = (what: string) => `refusing to send \`${JSON.stringify(value).slice(1, -1)}\` to \`${JSON.stringify(path).slice(1, -1)}\`: ${what}`;
  let m: RegExpExecArray | null;
  if ((m = /^\/sys\/bus\/dax\/devices\/(dax[0-9]{1,9}\.[0-9]{1,9})\/(size|align|mapping|memmap_on_memory)$/.exec(path))) {
    const attr = m[2];
    if (attr === 'size' || attr === 'align') return DEC.test(value) ? undefined : bad(`${attr} takes a decimal byte count`);
    if (attr === 'mapping') return /^[0-9a-f]{1,16}-[0-9a-f]{1,16}$/.test(value) ? undefined : bad('mapping takes START-END in hex');
    return /^[01]$/.test(value) ? undefined : bad('memmap_on_memory takes 0 or 1');
  }
  if (/^\/sys\/bus\/dax\/drivers\/(device_dax|kmem)\/(bind|unbind|new_id|remove_id)$/.test(path)) {
    return DAX.test(value) ? undefined : bad('a driver attribute takes a device name daxR.N');
  }
  if ((m = /^(.+)\/dax_region\/(create|delete)$/.exec(path))) {
    const parent = m[1] as string;
    if (!SYSFS_DEVICE.test(parent) || parent.split('/').some((c) => c === '.' || c === '..')) return bad('not a dax region under /sys/devices');
    if (m[2] === 'create') return value === '1' ? undefined : bad('create takes 1');
    return DAX.test(value) ? undefined : bad('delete takes a device name daxR.N');
  }
  if (/^\/sys\/devices\/system\/(?:memory|node\/node[0-9]{1,9})\/memory[0-9]{1,9}\/state$/.test(path)) {
    return /^(offline|online|online_movable|online_kernel)$/.test(value) ? undefined : bad('a memory block state is offline, online, online_movable or online_kernel');
  }
  if (/^\/sys\/devices\/system\/memory\/memory[0-9]{1,9}\/online$/.test(path)) return /^[01]$/.test(value) ? undefined : bad('online takes 0 or 1');
  if (path === '/sys/devices/system/memory/auto_online_blocks') {
    return /^(offline|online|online_movable|online_kernel)$/.test(value) ? undefined : bad('auto_online_blocks takes offline, online, online_movable or online_kernel');
  }
  return bad('not a device-dax or memory-block attribute daxlayout writes');
}

/** What the guard compares may hold: paths, numbers, names and words — never a quote. */
const STATE_LINE = /^[A-Za-z0-9_./:@+,=#> \[\]-]*$/;

export function stateProblem(state: string): string | undefined {
  const bad = state.split('\n').find((l) => !STATE_LINE.test(l));
  return bad === undefined ? undefined : `the host's state holds a line daxlayout will not put in a program: ${JSON.stringify(bad.slice(0, 120))}`;
}

export interface ApplyProgramOptions {
  /** The state text of the capture the plan was made from (the guard). */
  readonly expectedState: string;
  /** Seconds to wait for another apply's lock before refusing. */
  readonly lockTimeoutS: number;
  /**
   * The lock's private directory (the lock, its mkdir fallback and the cancel requests live in
   * it); default /run/daxlayout-lock. It must be a directory of the user running the program,
   * mode 0700, not a symlink: the program makes it so, or refuses (`@@ lock-error`). Never a
   * world-writable place such as /tmp. Tests give one of their own.
   */
  readonly lockDir?: string;
  readonly root?: Root;
  /** Test hook: after write K, report `@@ paused` and wait until the connection is gone. */
  readonly pauseAfter?: number;
}

/** Where the lock lives on a host (docs/apply.md): root's own directory under /run. */
export const LOCK_DIR = '/run/daxlayout-lock';

const LOCK_DIR_PATTERN = /^\/[A-Za-z0-9_.\/-]+$/;

function lockDirOf(dir: string | undefined): string {
  const d = dir ?? LOCK_DIR;
  if (!LOCK_DIR_PATTERN.test(d) || d.split('/').some((c) => c === '..' || c === '.') || d.endsWith('/') || d.split('/').length < 3) {
    throw new ProgramRefused(`lock directory \`${d}\` is not a plain absolute path below a directory`);
  }
  return d;
}

/**
 * private: the lock's directory $K is the running user's own (made with mode 0700 when it is
 * not there; owned by that user, mode 0700, not a symlink), or the program refuses: the lock
 * and the cancel requests never go to a place another user could have prepared.
 */
const PRIVATE = String.raw`private() {
  if [ ! -e "$K" ] && [ ! -L "$K" ]; then
    ( umask 077 && mkdir "$K" ) 2>/dev/null
  fi
  if [ -L "$K" ] || [ ! -d "$K" ]; then
    if [ -e "$K" ] || [ -L "$K" ]; then echo "@@ lock-error no safe place for the lock: $K is not a directory (a symlink or a file is there; remove it)"
    else echo "@@ lock-error no safe place for the lock: cannot create $K (apply runs as root, and ${'$'}{K%/*} must be writable)"; fi
    return 1
  fi
  u=$(id -u)
  set -f
  set -- $(ls -ldn "$K" 2>/dev/null)
  set +f
  if [ "${'$'}{3:-}" != "$u" ]; then echo "@@ lock-error no safe place for the lock: $K belongs to uid ${'$'}{3:-?}, not to uid $u (remove it)"; return 1; fi
  case "${'$'}{1:-}" in
    d???------ | d???------.) ;;
    *)
      chmod 700 "$K" 2>/dev/null
      set -f
      set -- $(ls -ldn "$K" 2>/dev/null)
      set +f
      case "${'$'}{1:-}" in
        d???------ | d???------.) ;;
        *) echo "@@ lock-error no safe place for the lock: $K is not private (mode ${'$'}{1:-?}; an ACL?)"; return 1 ;;
      esac
      ;;
  esac
}`;

const LOCK = String.raw`lock() {
  if command -v flock >/dev/null 2>&1; then
    if ! [ -w "${'$'}{L%/*}" ]; then echo "@@ lock-error cannot write ${'$'}{L%/*}"; return 1; fi
    exec 9>>"$L"
    if ! flock -n 9; then
      echo '@@ lock-wait'
      flock -w "$T" 9 || { echo "@@ lock-busy $L"; return 1; }
    fi
    echo '@@ locked flock'
  else
    D="$L.d"
    i=0
    while ! mkdir "$D" 2>/dev/null; do
      if ! [ -w "${'$'}{L%/*}" ]; then echo "@@ lock-error cannot write ${'$'}{L%/*}"; return 1; fi
      [ "$i" -eq 0 ] && echo '@@ lock-wait'
      o=''
      { IFS= read -r o < "$D/pid"; } 2>/dev/null
      case "$o" in
        '' | *[!0-9]*) ;;
        *) if ! kill -0 "$o" 2>/dev/null; then mv "$D" "$D.$$" 2>/dev/null && rm -rf "$D.$$"; continue; fi ;;
      esac
      i=$((i + 1))
      if [ "$i" -gt "$T" ]; then echo "@@ lock-busy $D"; return 1; fi
      sleep 1
    done
    trap 'rm -rf "$D"' EXIT
    trap 'exit 143' TERM
    trap 'exit 130' INT
    echo "$$" > "$D/pid"
    echo '@@ locked mkdir'
  fi
}`;

const WRITE = String.raw`w() {
  if [ -e "$C" ]; then
    rm -f "$C"
    echo "@@ cancelled before step $1"
    exit 5
  fi
  if e=$({ echo "$3" > "$R$2"; } 2>&1); then
    echo "@@ step $1 ok"
    return 0
  fi
  set -f
  echo "@@ step $1 fail" $e
  set +f
  return 1
}
pause() {
  echo "@@ paused after step $1"
  while sleep 1 9>&-; do
    [ -e "$C" ] && return 0
    echo '@@ waiting' || exit 4
  done
  exit 4
}`;

/**
 * The apply program: take the host's lock, check that the host is still in
 * the state the plan was made from, then run each write, reporting
 * `@@ step N ok` or `@@ step N fail ERRTEXT`, and stop at the first failure.
 * The whole text is one function called on the last line, so a program cut
 * short in transit runs nothing. SIGHUP and SIGPIPE are ignored: a dropped
 * connection does not stop the writes half-way.
 */
export function applyProgram(writes: readonly { path: string; value: string }[], o: ApplyProgramOptions): string {
  for (const w of writes) {
    const p = writeProblem(w.path, w.value);
    if (p) throw new ProgramRefused(p);
  }
  const sp = stateProblem(o.expectedState);
  if (sp) throw new ProgramRefused(sp);
  if (!Number.isInteger(o.lockTimeoutS) || o.lockTimeoutS < 0 || o.lockTimeoutS > 86400) throw new ProgramRefused(`lock timeout ${o.lockTimeoutS} is not 0–86400 seconds`);
  const lockDir = lockDirOf(o.lockDir);
  if (o.pauseAfter !== undefined && (!Number.isInteger(o.pauseAfter) || o.pauseAfter < 0)) throw new ProgramRefused('pauseAfter must be a write number');
  const body: string[] = [
    'main() {',
    "  trap '' HUP PIPE",
    '  private || exit 3',
    '  L="$K/lock"',
    '  lock || exit 3',
    '  C="$K/cancel.$$"',
    '  if [ -e "$C" ] || [ -L "$C" ]; then rm -f "$C"; fi',
    '  echo "@@ pid $$"',
    '  now=$(state)',
    '  if [ "$now" != "$X" ]; then',
    "    echo '@@ changed'",
    "    printf '%s\\n' \"$now\"",
    "    echo '@@ end'",
    '    exit 3',
    '  fi',
    "  echo '@@ guard ok'",
  ];
  writes.forEach((w, i) => {
    body.push(`  w ${i + 1} ${shQuote(w.path)} ${shQuote(w.value)} || exit 1`);
    if (o.pauseAfter === i + 1) body.push(`  pause ${i + 1}`);
  });
  body.push("  echo '@@ done'", '  exit 0', '}');
  return [
    '# daxlayout apply program',
    F,
    STATE,
    PRIVATE,
    LOCK,
    WRITE,
    ...body,
    'LC_ALL=C',
    'export LC_ALL',
    `R=${shQuote(root(o.root ?? ''))}`,
    `T=${o.lockTimeoutS}`,
    `K=${shQuote(lockDir)}`,
    `X=${shQuote(o.expectedState)}`,
    'main',
    '',
  ].join('\n');
}

/**
 * Asks a running apply program (by its shell's pid on the host) to stop before its next
 * write: it checks for a file in the lock's private directory between writes. One more round
 * trip, only on cancel. The directory is checked as the apply program checks it, and the file
 * is created without following a link (noclobber).
 */
export function cancelProgram(pid: number, o: { lockDir?: string } = {}): string {
  if (!Number.isSafeInteger(pid) || pid <= 1) throw new ProgramRefused(`pid ${pid} is not a process id`);
  const lockDir = lockDirOf(o.lockDir);
  return [
    '# daxlayout cancel',
    PRIVATE,
    `K=${shQuote(lockDir)}`,
    `if kill -0 ${pid} 2>/dev/null && [ -d "$K" ] && private; then`,
    '  set -C',
    `  if { : > "$K/cancel.${pid}"; } 2>/dev/null || { [ -f "$K/cancel.${pid}" ] && [ ! -L "$K/cancel.${pid}" ]; }; then echo '@@ cancel requested'; fi`,
    'fi',
    '',
  ].join('\n');
}

// ------------------------------------------------------------------ output

export interface WriteOutcome {
  /** 1-based write number. */
  readonly index: number;
  readonly ok: boolean;
  /** The shell's error text for a failed write. */
  readonly error?: string;
  /** The errno name the error text stands for, when known. */
  readonly errno?: string;
}

export interface ProgramReport {
  readonly lock?: 'flock' | 'mkdir';
  readonly lockWaited: boolean;
  readonly lockBusy?: string;
  readonly lockError?: string;
  readonly guard: 'ok' | 'changed' | 'not-run';
  /** The host's state text when the guard found it changed. */
  readonly changedState?: string;
  readonly outcomes: WriteOutcome[];
  readonly done: boolean;
  readonly pausedAfter?: number;
  /** The program stopped on request before this write. */
  readonly cancelledBefore?: number;
  /** The pid of the program's shell on the host (for a cancel). */
  readonly pid?: number;
  /** Output lines that were not part of the protocol. */
  readonly other: string[];
}

const STRERROR: Record<string, string> = {
  'Operation not permitted': 'EPERM',
  'No such file or directory': 'ENOENT',
  nonexistent: 'ENOENT',
  'Directory nonexistent': 'ENOENT',
  'Input/output error': 'EIO',
  'I/O error': 'EIO',
  'No such device or address': 'ENXIO',
  'Cannot allocate memory': 'ENOMEM',
  'Out of memory': 'ENOMEM',
  'Permission denied': 'EACCES',
  'Device or resource busy': 'EBUSY',
  'Resource busy': 'EBUSY',
  'No such device': 'ENODEV',
  'Is a directory': 'EISDIR',
  'Invalid argument': 'EINVAL',
  'No space left on device': 'ENOSPC',
  'Read-only file system': 'EROFS',
  'Numerical result out of range': 'ERANGE',
  'Result not representable': 'ERANGE',
  'Operation not supported': 'EOPNOTSUPP',
  'Not supported': 'EOPNOTSUPP',
  'Unknown error 524': 'ENOTSUPP',
  'Function not implemented': 'ENOSYS',
};

/** The errno name a shell's write error stands for (`sh: write error: Invalid argument` → EINVAL). */
export function errnoOf(text: string): string | undefined {
  if (/nonexistent directory\s*$/.test(text)) return 'ENOENT';
  const m = /:\s*([^:]+?)\s*$/.exec(text);
  return m ? STRERROR[m[1] as string] : undefined;
}

export function parseProgramOutput(stdout: string): ProgramReport {
  const outcomes: WriteOutcome[] = [];
  const other: string[] = [];
  let lock: ProgramReport['lock'];
  let lockWaited = false;
  let lockBusy: string | undefined;
  let lockError: string | undefined;
  let guard: ProgramReport['guard'] = 'not-run';
  let changed: string[] | undefined;
  let done = false;
  let pausedAfter: number | undefined;
  let cancelledBefore: number | undefined;
  let pid: number | undefined;
  for (const line of stdout.split('\n')) {
    if (changed && line !== '@@ end') {
      changed.push(line);
      continue;
    }
    let m: RegExpExecArray | null;
    if ((m = /^@@ step (\d+) ok$/.exec(line))) outcomes.push({ index: Number(m[1]), ok: true });
    else if ((m = /^@@ step (\d+) fail ?(.*)$/.exec(line))) {
      const error = (m[2] as string).trim();
      const errno = errnoOf(error);
      outcomes.push({ index: Number(m[1]), ok: false, error, ...(errno ? { errno } : {}) });
    } else if ((m = /^@@ locked (flock|mkdir)$/.exec(line))) lock = m[1] as 'flock' | 'mkdir';
    else if (line === '@@ lock-wait') lockWaited = true;
    else if ((m = /^@@ lock-busy (.*)$/.exec(line))) lockBusy = m[1];
    else if ((m = /^@@ lock-error (.*)$/.exec(line))) lockError = m[1];
    else if (line === '@@ guard ok') guard = 'ok';
    else if (line === '@@ changed') {
      guard = 'changed';
      changed = [];
    } else if (line === '@@ end') {
      /* end of the changed state */
    } else if (line === '@@ done') done = true;
    else if ((m = /^@@ paused after step (\d+)$/.exec(line))) pausedAfter = Number(m[1]);
    else if ((m = /^@@ cancelled before step (\d+)$/.exec(line))) cancelledBefore = Number(m[1]);
    else if ((m = /^@@ pid (\d+)$/.exec(line))) pid = Number(m[1]);
    else if (line === '@@ waiting') {
      /* test hook heartbeat */
    } else if (line !== '') other.push(line);
    if (line === '@@ end') changed = undefined;
  }
  const changedState = guard === 'changed' ? stateFromChanged(stdout) : undefined;
  return {
    ...(lock ? { lock } : {}),
    lockWaited,
    ...(lockBusy !== undefined ? { lockBusy } : {}),
    ...(lockError !== undefined ? { lockError } : {}),
    guard,
    ...(changedState !== undefined ? { changedState } : {}),
    outcomes,
    done,
    ...(pausedAfter !== undefined ? { pausedAfter } : {}),
    ...(cancelledBefore !== undefined ? { cancelledBefore } : {}),
    ...(pid !== undefined ? { pid } : {}),
    other,
  };
}

function stateFromChanged(stdout: string): string {
  const lines = stdout.split('\n');
  const b = lines.indexOf('@@ changed');
  const e = lines.indexOf('@@ end', b);
  return lines.slice(b + 1, e < 0 ? undefined : e).join('\n').replace(/\n+$/, '');
}

/** What changed between two state texts, section by section (`PATH: OLD → NEW`). */
export function stateDiff(before: string, after: string, limit = 12): string[] {
  const sections = (t: string) => {
    const m = new Map<string, string>();
    let cur: string | undefined;
    for (const line of t.split('\n')) {
      if (line.startsWith('### ')) {
        cur = line.slice(4);
        const arrow = cur.indexOf(' -> ');
        if (arrow >= 0) {
          m.set(cur.slice(0, arrow), `→ ${cur.slice(arrow + 4)}`);
          cur = undefined;
        } else m.set(cur, '');
      } else if (cur !== undefined) {
        if (cur.startsWith('memory blocks of ')) {
          const k = /^(memory\d+):\s*(.*)$/.exec(line);
          if (k) m.set(`/sys/devices/system/memory/${k[1]}`, k[2] as string);
        } else m.set(cur, (m.get(cur) ? m.get(cur) + ' ' : '') + line);
      }
    }
    return m;
  };
  const a = sections(before);
  const b = sections(after);
  const out: string[] = [];
  for (const [k, v] of a) {
    if (!b.has(k)) out.push(`${k}: gone (was ${v || 'empty'})`);
    else if (b.get(k) !== v) out.push(`${k}: ${v || 'empty'} → ${b.get(k) || 'empty'}`);
  }
  for (const [k, v] of b) if (!a.has(k)) out.push(`${k}: new (${v || 'empty'})`);
  const clean = out.map((x) => x.replace(/^memory blocks of node\d+: /, ''));
  return clean.length > limit ? [...clean.slice(0, limit), `… and ${clean.length - limit} more`] : clean;
}
