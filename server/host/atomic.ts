// Replacing a file whole: the new content goes to a temporary file created exclusively
// (O_CREAT|O_EXCL, never following a link an attacker placed there) under an unpredictable
// name in the same directory, then is renamed over the file. A reader sees the old file or
// the new one, never half of one; a symlink at the destination is replaced, not followed.

import type * as Crypto from 'node:crypto';
import {
  closeSync,
  constants,
  fchmodSync,
  fsyncSync,
  openSync,
  renameSync,
  statSync,
  unlinkSync,
  writeSync,
} from 'node:fs';
import { basename, dirname, join } from 'node:path';

/** The temporary name next to `path`: hidden, with 128 random bits. */
export function tempNameFor(path: string): string {
  return join(
    dirname(path),
    `.${basename(path)}.${(require('node:crypto') as typeof Crypto).randomBytes(16).toString('hex')}.tmp`,
  );
}

/**
 * Writes `data` to `path` atomically. The file keeps its permission bits when it exists
 * (else `mode`, 0644 by default, less the umask as for any new file).
 */
export function writeFileAtomic(path: string, data: string | Uint8Array, mode = 0o644): void {
  let keep: number | undefined;
  try {
    const st = statSync(path);
    if (st.isFile()) keep = st.mode & 0o7777;
  } catch {
    // a new file
  }
  let tmp = '';
  let fd = -1;
  for (let attempt = 0; fd < 0; attempt++) {
    tmp = tempNameFor(path);
    try {
      // O_EXCL: fails on anything already there, a symlink included (never followed)
      // (a new file gets `mode` less the umask, as any file a program creates)
      fd = openSync(
        tmp,
        constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | (constants.O_NOFOLLOW ?? 0),
        keep ?? mode,
      );
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST' || attempt >= 4) throw e;
    }
  }
  try {
    try {
      const buf = typeof data === 'string' ? Buffer.from(data, 'utf8') : data;
      let off = 0;
      while (off < buf.length) off += writeSync(fd, buf, off, buf.length - off);
      if (keep !== undefined) fchmodSync(fd, keep);
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    renameSync(tmp, path);
  } catch (e) {
    try {
      unlinkSync(tmp);
    } catch {
      // already gone
    }
    throw e;
  }
}
