// What an apply program prints, read back: each write's outcome, the guard, the lock, a
// pause or cancel, and the host state around them.

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
  return lines
    .slice(b + 1, e < 0 ? undefined : e)
    .join('\n')
    .replace(/\n+$/, '');
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
