// The apply program (lock, guard, writes) and the cancel program, and the checks every value
// put into them passes first.

import { SETTLE_SH, settleArgs, settleText, type Settle } from '../core/index';
import { F, ProgramRefused, root, shQuote, STATE, type Root } from './sh';

// ------------------------------------------------------------------ writes

const DEC = /^(?:0|[1-9][0-9]{0,19})$/;
const DAX = /^dax[0-9]{1,9}\.[0-9]{1,9}$/;
const CXL_REGION = /^region[0-9]{1,6}$/;
const SYSFS_DEVICE = /^\/sys\/devices(?:\/[A-Za-z0-9_:+][A-Za-z0-9_.:+-]{0,127}){1,16}$/;

/** Why a planned write cannot go into a program (undefined: it may). */
export function writeProblem(path: string, value: string): string | undefined {
  const bad = (what: string) =>
    `refusing to send \`${JSON.stringify(value).slice(1, -1)}\` to \`${JSON.stringify(path).slice(1, -1)}\`: ${what}`;
  let m: RegExpExecArray | null;
  if (
    (m = /^\/sys\/bus\/dax\/devices\/(dax[0-9]{1,9}\.[0-9]{1,9})\/(size|align|mapping|memmap_on_memory)$/.exec(path))
  ) {
    const attr = m[2];
    if (attr === 'size' || attr === 'align')
      return DEC.test(value) ? undefined : bad(`${attr} takes a decimal byte count`);
    if (attr === 'mapping')
      return /^[0-9a-f]{1,16}-[0-9a-f]{1,16}$/.test(value) ? undefined : bad('mapping takes START-END in hex');
    return /^[01]$/.test(value) ? undefined : bad('memmap_on_memory takes 0 or 1');
  }
  if (/^\/sys\/bus\/dax\/drivers\/(device_dax|kmem)\/(bind|unbind|new_id|remove_id)$/.test(path)) {
    return DAX.test(value) ? undefined : bad('a driver attribute takes a device name daxR.N');
  }
  if ((m = /^(.+)\/dax_region\/(create|delete)$/.exec(path))) {
    const parent = m[1] as string;
    if (!SYSFS_DEVICE.test(parent) || parent.split('/').some((c) => c === '.' || c === '..'))
      return bad('not a dax region under /sys/devices');
    if (m[2] === 'create') return value === '1' ? undefined : bad('create takes 1');
    return DAX.test(value) ? undefined : bad('delete takes a device name daxR.N');
  }
  if (/^\/sys\/devices\/system\/(?:memory|node\/node[0-9]{1,9})\/memory[0-9]{1,9}\/state$/.test(path)) {
    return /^(offline|online|online_movable|online_kernel)$/.test(value)
      ? undefined
      : bad('a memory block state is offline, online, online_movable or online_kernel');
  }
  if (/^\/sys\/devices\/system\/memory\/memory[0-9]{1,9}\/online$/.test(path))
    return /^[01]$/.test(value) ? undefined : bad('online takes 0 or 1');
  if (path === '/sys/devices/system/memory/auto_online_blocks') {
    return /^(offline|online|online_movable|online_kernel)$/.test(value)
      ? undefined
      : bad('auto_online_blocks takes offline, online, online_movable or online_kernel');
  }
  // CXL regions (docs/cxl.md): endpoint decoders, root decoders, regions, the cxl_region driver
  if (
    (m =
      /^\/sys\/bus\/cxl\/devices\/decoder[0-9]{1,4}\.[0-9]{1,4}\/(mode|dpa_size|create_ram_region|delete_region)$/.exec(
        path,
      ))
  ) {
    const attr = m[1];
    if (attr === 'mode') return value === 'ram' ? undefined : bad('an endpoint decoder mode daxlayout writes is ram');
    if (attr === 'dpa_size') return DEC.test(value) ? undefined : bad('dpa_size takes a decimal byte count');
    return CXL_REGION.test(value) ? undefined : bad(`${attr} takes a region name regionN`);
  }
  if (
    (m =
      /^\/sys\/bus\/cxl\/devices\/region[0-9]{1,6}\/(interleave_granularity|interleave_ways|size|commit|target[0-9]{1,2})$/.exec(
        path,
      ))
  ) {
    const attr = m[1] as string;
    if (attr === 'commit') return /^[01]$/.test(value) ? undefined : bad('commit takes 0 or 1');
    if (attr.startsWith('target'))
      return value === '' || /^decoder[0-9]{1,4}\.[0-9]{1,4}$/.test(value)
        ? undefined
        : bad('a target takes an endpoint decoder name decoderP.N (or nothing, to clear it)');
    return DEC.test(value) ? undefined : bad(`${attr} takes a decimal number`);
  }
  if (/^\/sys\/bus\/cxl\/drivers\/cxl_region\/(bind|unbind)$/.test(path))
    return CXL_REGION.test(value) ? undefined : bad('the cxl_region driver takes a region name regionN');
  return bad('not a device-dax, memory-block or CXL region attribute daxlayout writes');
}

/** Why a wait after a write cannot go into a program (undefined: it may). */
export function settleProblem(s: Settle): string | undefined {
  const bad = (what: string) => `refusing to wait for \`${JSON.stringify(s.device).slice(1, -1)}\`: ${what}`;
  if (!DAX.test(s.device)) return bad('not a device name daxR.N');
  if (s.driver !== null && s.driver !== 'kmem' && s.driver !== 'device_dax') return bad('not a dax driver');
  if (!Number.isInteger(s.timeoutS) || s.timeoutS < 1 || s.timeoutS > 3600) return bad('timeout not 1-3600 s');
  const b = s.blocks;
  if (
    b &&
    !(Number.isInteger(b.first) && Number.isInteger(b.last) && b.first >= 0 && b.first <= b.last && b.last < 1e9)
  )
    return bad('memory blocks not FIRST <= LAST');
  return undefined;
}

/** What the guard compares may hold: paths, numbers, names and words — never a quote. */
const STATE_LINE = /^[A-Za-z0-9_./:@+,=#> \[\]-]*$/;

export function stateProblem(state: string): string | undefined {
  const bad = state.split('\n').find((l) => !STATE_LINE.test(l));
  return bad === undefined
    ? undefined
    : `the host's state holds a line daxlayout will not put in a program: ${JSON.stringify(bad.slice(0, 120))}`;
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
  if (
    !LOCK_DIR_PATTERN.test(d) ||
    d.split('/').some((c) => c === '..' || c === '.') ||
    d.endsWith('/') ||
    d.split('/').length < 3
  ) {
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
export function applyProgram(
  writes: readonly { path: string; value: string; settle?: Settle }[],
  o: ApplyProgramOptions,
): string {
  for (const w of writes) {
    const p = writeProblem(w.path, w.value) ?? (w.settle ? settleProblem(w.settle) : undefined);
    if (p) throw new ProgramRefused(p);
  }
  const sp = stateProblem(o.expectedState);
  if (sp) throw new ProgramRefused(sp);
  if (!Number.isInteger(o.lockTimeoutS) || o.lockTimeoutS < 0 || o.lockTimeoutS > 86400)
    throw new ProgramRefused(`lock timeout ${o.lockTimeoutS} is not 0–86400 seconds`);
  const lockDir = lockDirOf(o.lockDir);
  if (o.pauseAfter !== undefined && (!Number.isInteger(o.pauseAfter) || o.pauseAfter < 0))
    throw new ProgramRefused('pauseAfter must be a write number');
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
    '    printf \'%s\\n\' "$now"',
    "    echo '@@ end'",
    '    exit 3',
    '  fi',
    "  echo '@@ guard ok'",
  ];
  writes.forEach((w, i) => {
    body.push(`  w ${i + 1} ${shQuote(w.path)} ${shQuote(w.value)} || exit 1`);
    // what the kernel finishes after the write returned (a CXL region's dax device): wait, bounded
    if (w.settle)
      body.push(
        `  settle ${settleArgs(w.settle)} || { echo '@@ step ${i + 1} fail' ${shQuote(`timed out waiting until ${settleText(w.settle)}`)}; exit 1; }`,
      );
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
    ...(writes.some((w) => w.settle) ? [SETTLE_SH] : []),
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
