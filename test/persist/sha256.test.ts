// The persist artifacts' checksums are what `sha256sum` prints for the UTF-8 file (Node's hash as the reference).
import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { sha256 } from '../../server/core/index';

describe('sha256', () => {
  it('is the SHA-256 of the UTF-8 text, at block boundaries and beyond ASCII', () => {
    const texts = ['', 'abc', 'a'.repeat(55), 'a'.repeat(56), 'a'.repeat(64), 'größe 1G\n', 'dax 🐘\n'.repeat(100)];
    for (const t of texts) expect(sha256(t)).toBe(createHash('sha256').update(t, 'utf8').digest('hex'));
    expect(sha256('abc')).toBe('ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad');
  });
});
