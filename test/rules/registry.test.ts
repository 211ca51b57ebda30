// Every rule has a documentation page and a test file that shows it firing and not firing.
import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { EXTRA_CODES, RULES } from '../../server/core/rules/registry';

const root = resolve(__dirname, '../..');
const codes = [...RULES.map((r) => r.code), ...EXTRA_CODES];

describe('rule registry', () => {
  it('codes are unique and well-formed', () => {
    expect(new Set(codes).size).toBe(codes.length);
    for (const c of codes) expect(c).toMatch(/^DAX\d{3}$/);
  });

  for (const code of codes) {
    it(`${code} has a page with what, why, the kernel fact and the fix`, () => {
      const page = join(root, 'docs/rules', `${code}.md`);
      expect(existsSync(page), page).toBe(true);
      const text = readFileSync(page, 'utf8');
      expect(text).toMatch(new RegExp(`^# ${code}`));
      for (const section of ['## What', '## Why', '## How to fix'])
        expect(text, `${code}: ${section}`).toContain(section);
    });
  }

  for (const rule of RULES) {
    it(`${rule.code} declares its page, and its default severity is the one its page names first`, () => {
      expect(rule.page).toBe(`docs/rules/${rule.code}.md`);
      const text = readFileSync(join(root, rule.page), 'utf8');
      expect(text).toMatch(new RegExp(`^# ${rule.code} — ${rule.title.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}\n`));
      expect(/^Severity: (error|warning|info)\b/m.exec(text)?.[1], `${rule.code}: the page's Severity line`).toBe(
        rule.severity,
      );
    });

    it(`${rule.code} has tests that fire and that do not fire`, () => {
      const file = join(root, 'test/rules', `${rule.code}.test.ts`);
      expect(existsSync(file), file).toBe(true);
      const text = readFileSync(file, 'utf8');
      expect(text).toMatch(new RegExp(`expectFinding\\([\\s\\S]*?'${rule.code}'`));
      expect(text).toMatch(new RegExp(`expectNone\\([\\s\\S]*?'${rule.code}'`));
    });
  }
});
