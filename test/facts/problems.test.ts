// Problems (server/core/facts/problems.ts) turns input offsets into 1-based lines and
// columns, from a table of line starts built once per text.

import { describe, expect, it } from 'vitest';
import { Problems } from '../../server/core/facts/problems';

/** Line and column counted directly: the '\n' before the offset, and the distance from the last one. */
function naive(text: string, at: number): { line: number; column: number } {
  const before = text.slice(0, Math.min(Math.max(at, 0), text.length));
  return { line: before.split('\n').length, column: before.length - (before.lastIndexOf('\n') + 1) + 1 };
}

describe('Problems', () => {
  it('gives the line and column of every offset, line breaks and the ends included', () => {
    for (const text of ['', 'x', '\n', 'ab\ncd\r\n\nef\n', '{\n  "a": [,]\n}', '\n\n\nlast']) {
      const p = new Problems(text);
      const offsets = [-3, ...Array.from({ length: text.length + 1 }, (_, i) => i), text.length + 5];
      for (const at of offsets) p.error(`at ${at}`, { at });
      expect(p.list.map((x) => ({ line: x.line, column: x.column }))).toEqual(offsets.map((at) => naive(text, at)));
    }
  });

  it('keeps lines given directly and leaves out what is not known', () => {
    const p = new Problems('a\nb');
    p.warning('w', { line: 7 });
    p.info('i', { path: '/x' });
    expect(p.list).toEqual([
      { severity: 'warning', message: 'w', line: 7 },
      { severity: 'info', message: 'i', path: '/x' },
    ]);
  });
});
