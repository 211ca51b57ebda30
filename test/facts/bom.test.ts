// Facts inputs saved with a byte-order mark (U+FEFF first) read exactly as without it: a
// daxlayout-facts file, `daxctl list -RDMi` JSON, and a capture dump (whose first section is
// `uname -m`: the mark must not hide it).
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { readCaptureText, splitSections } from '../../server/core/facts/capture-text';
import { readFacts, writeFacts } from '../../server/core/facts/read';
import { readCapture } from '../../server/host/capture';

const BOM = '\uFEFF';
const capture = readFileSync(new URL('../fixtures/facts/linux-6.1-boot.txt', import.meta.url), 'utf8');
const sample = (name: string): string => readFileSync(new URL(`../../samples/${name}`, import.meta.url), 'utf8');

describe('facts with a byte-order mark', () => {
  it('a capture dump: the same sections, the same facts', () => {
    expect(capture.startsWith('### ')).toBe(true);
    expect(splitSections(BOM + capture)).toEqual(splitSections(capture));
    const a = readCaptureText(BOM + capture, 'x');
    const b = readCaptureText(capture, 'x');
    expect(a.problems).toEqual(b.problems);
    expect(writeFacts(a.facts!)).toBe(writeFacts(b.facts!));
    expect(a.facts?.arch).toBe('x86_64');
  });

  it('a capture as the host side reads it (state, unreadable files, uid)', () => {
    const a = readCapture(BOM + capture, 'x');
    const b = readCapture(capture, 'x');
    expect({ ...a, text: '' }).toEqual({ ...b, text: '' });
  });

  it('a facts file and daxctl JSON', () => {
    for (const [name, kernel] of [
      ['linux-6.1.facts.json', undefined],
      ['linux-6.1.daxctl.json', '6.1.0-56-amd64'],
    ] as const) {
      const opts = kernel ? { kernelRelease: kernel } : {};
      const a = readFacts(BOM + sample(name), 'x', opts);
      const b = readFacts(sample(name), 'x', opts);
      expect(a.problems.filter((p) => p.severity === 'error')).toEqual([]);
      expect(writeFacts(a.facts!)).toBe(writeFacts(b.facts!));
    }
  });
});
