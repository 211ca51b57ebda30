// Layouts for groups of hosts (`host NAME { hosts "PATTERN" facts "facts/{host}.json" }`):
// the layout is checked against each member's facts; a problem names the host it belongs to,
// in the message and in related information; facts-independent problems are reported once.
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { analyzeFleet, parseInventory, type FleetOptions } from '../../server/core/index';
import { parse } from '../../grammar/src/index';
import { lower } from '../../server/core/layout/lower';

const dir = resolve(__dirname, 'fixtures');
const readFacts = (p: string) => {
  try {
    return { text: readFileSync(join(dir, p), 'utf8') };
  } catch {
    return { error: `no such file: ${p}` };
  }
};
const rack = readFileSync(join(dir, 'rack.dax'), 'utf8');
const run = (text: string, o: FleetOptions = {}) => analyzeFleet(text, { readFacts, ...o });

describe('hosts "PATTERN" blocks', () => {
  it('the syntax: `hosts` and `inventory` are host properties, lowered with their spans', () => {
    const file = parse(rack);
    expect(file.errors).toEqual([]);
    const h = lower(file).hosts[0];
    expect(h?.pattern?.value).toBe('rack1');
    expect(h?.inventory?.value).toBe('inventory.ini');
    expect(rack.slice(h?.pattern?.span.start, h?.pattern?.span.end)).toBe('"rack1"');
    const bad = lower(parse('host r { hosts "" }'));
    expect(bad.issues[0]?.message).toMatch(/host pattern cannot be empty/);
  });

  it('checks each member against its own facts; only the 1 GiB host gets the over-commit, naming it', () => {
    const a = run(rack);
    expect(a.members.map((m) => m.host)).toEqual(['hbm01', 'hbm02', 'hbm03']);
    const errors = a.findings.filter((f) => f.severity === 'error');
    expect(errors.map((f) => f.code)).toEqual(['DAX020', 'DAX051']);
    for (const f of errors) {
      expect(f.message).toMatch(/^hbm03: /);
      expect(f.related?.[0]?.message).toBe('hbm03 is one of the 3 host(s) "rack1" matches');
      expect(rack.slice(f.related?.[0]?.span.start, f.related?.[0]?.span.end)).toBe('"rack1"');
    }
    expect(errors[0]?.message).toMatch(/over-committed by 512 MiB.*holds 1 GiB/);
  });

  it('--limit-like patterns and -i: a pattern that leaves out the small host has no errors', () => {
    const a = run(rack.replace('hosts "rack1"', 'hosts "rack1:!hbm03"'));
    expect(a.members.map((m) => m.host)).toEqual(['hbm01', 'hbm02']);
    expect(a.findings.filter((f) => f.severity === 'error')).toEqual([]);
    const inv = parseInventory('[rack1]\nhbm03\n', 'x.ini');
    const b = run(rack, { inventory: inv, inventoryName: 'x.ini' });
    expect(b.members.map((m) => m.host)).toEqual(['hbm03']);
    expect(b.findings[0]?.message).toMatch(/^hbm03: /);
  });

  it('a problem every member has is reported once, naming them all', () => {
    const big = rack.replace('device weather { size 1G align 1G }', 'device weather { size 3G align 1G }');
    const a = run(big.replace('hosts "rack1"', 'hosts "rack1:!hbm03"'));
    const over = a.findings.filter((f) => f.code === 'DAX020');
    expect(over).toHaveLength(1);
    expect(over[0]?.message).toMatch(
      /^every host of "rack1:!hbm03" \(hbm01, hbm02\): region 0 on rack1 is over-committed/,
    );
    // hbm03's region is smaller: its message differs, so each host gets its own
    expect(
      run(big)
        .findings.filter((f) => f.code === 'DAX020')
        .map((f) => f.message.split(':')[0]),
    ).toEqual(['hbm01', 'hbm02', 'hbm03']);
  });

  it('a facts-independent problem is reported once, as it is', () => {
    const a = run(rack.replace('device spill { size 512M', 'device spill { size 1.5G'));
    const bad = a.findings.filter((f) => f.code === 'DAX006');
    expect(bad).toHaveLength(1);
    expect(bad[0]?.message).not.toMatch(/hbm0/);
  });

  it("a member's missing facts file is that member's problem", () => {
    const a = run(rack, { inventory: parseInventory('[rack1]\nhbm01\nhbm09\n'), inventoryName: 'inv' });
    const missing = a.findings.filter((f) => f.code === 'DAX005' && f.severity === 'error');
    expect(missing).toHaveLength(1);
    expect(missing[0]?.message).toMatch(/^hbm09: .*no such file: facts\/hbm09\.json/);
  });

  it('without an inventory, or matching no host: one warning saying so, no facts errors', () => {
    const none = run(rack.replace('  inventory "inventory.ini"\n', ''));
    expect(none.members).toEqual([]);
    expect(none.findings.map((f) => [f.code, f.severity])).toEqual([['DAX005', 'warning']]);
    expect(none.findings[0]?.message).toMatch(
      /needs an inventory to match: write `inventory "FILE"` in host rack1, or pass -i INVENTORY/,
    );
    const empty = run(rack.replace('hosts "rack1"', 'hosts "rack9"'));
    expect(empty.findings[0]?.message).toBe(
      'hosts "rack9" matches no host of inventory.ini: its regions are not checked against any host\'s facts',
    );
  });

  it('without per-host facts: one info naming the members, no geometry errors (the facts come at plan time)', () => {
    const a = run(rack.replace('  facts "facts/{host}.json"\n', ''));
    expect(a.findings.map((f) => [f.code, f.severity])).toEqual([['DAX005', 'info']]);
    expect(a.findings[0]?.message).toMatch(
      /^hosts "rack1" matches 3 host\(s\) \(hbm01, hbm02, hbm03\); without `facts/,
    );
    const bad = run(rack.replace('  facts "facts/{host}.json"\n', '').replace('size 512M', 'size 1.5G'));
    expect(bad.findings.map((f) => f.code)).toEqual(['DAX005', 'DAX006']);
  });

  it('single hosts next to a group are checked as before', () => {
    const text = `${rack}\nhost lab61 {\n  facts "facts/hbm03.json"\n}\n\nregion 0 on lab61 {\n  device big { size 2G }\n}\n`;
    const a = run(text);
    const lab = a.findings.filter((f) => f.span.start > text.indexOf('host lab61'));
    expect(lab.map((f) => f.code)).toContain('DAX020');
    expect(lab.every((f) => !/^hbm0/.test(f.message))).toBe(true);
  });

  it('a pattern matching 2 000 hosts: each member reads its facts once, the rest of the text is analysed once', () => {
    const text = `${rack}\nhost lab61 {\n  facts "facts/hbm03.json"\n}\n\nregion 0 on lab61 {\n  device big { size 2G }\n}\n`;
    const names = Array.from({ length: 2000 }, (_, i) => `hbm${String(i + 1).padStart(4, '0')}`);
    const reads = new Map<string, number>();
    const same = readFileSync(join(dir, 'facts/hbm01.json'), 'utf8');
    const a = analyzeFleet(text, {
      inventory: parseInventory(`[rack1]\nhbm[0001:2000]\n`, 'inv'),
      inventoryName: 'inv',
      readFacts: (p) => {
        reads.set(p, (reads.get(p) ?? 0) + 1);
        return p === 'facts/hbm03.json' || p.includes('{host}') ? readFacts(p) : { text: same };
      },
    });
    expect(a.members.map((m) => m.host)).toEqual(names);
    // the single host's facts: read by the text's own analysis only, not again for each member
    expect(reads.get('facts/hbm03.json')).toBe(1);
    for (const n of names) expect(reads.get(`facts/${n}.json`)).toBe(1);
    // the single host's problem is still reported once, as before
    expect(a.findings.filter((f) => f.code === 'DAX020' && f.span.start > text.indexOf('host lab61'))).toHaveLength(1);
    // a problem every member has names the first few of them, not all 2 000
    const over = analyzeFleet(text.replace('size 1G align 1G', 'size 3G align 1G'), {
      inventory: parseInventory(`[rack1]\nhbm[0001:2000]\n`, 'inv'),
      inventoryName: 'inv',
      readFacts: (p) => (p === 'facts/hbm03.json' || p.includes('{host}') ? readFacts(p) : { text: same }),
    }).findings.filter((f) => f.code === 'DAX020' && f.span.start < text.indexOf('host lab61'));
    expect(over).toHaveLength(1);
    expect(over[0]?.message).toMatch(
      /^every host of "rack1" \(hbm0001, hbm0002, hbm0003, hbm0004, hbm0005, hbm0006, hbm0007, hbm0008, …\): region 0 on rack1/,
    );
    expect(over[0]?.related?.[0]?.message).toBe('2000 hosts match "rack1"');
  });

  it('a layout without `hosts` blocks analyses exactly as analyze does', () => {
    const text = readFileSync(resolve(__dirname, '../../samples/hbm-lab.dax'), 'utf8');
    const a = analyzeFleet(text, {
      readFacts: (p) => ({ text: readFileSync(resolve(__dirname, '../../samples', p), 'utf8') }),
    });
    expect(a.members).toEqual([]);
    expect(a.findings.filter((f) => f.severity === 'error')).toEqual([]);
  });
});

describe('an inventory that is not clean text', () => {
  it('a lone CR or U+2028 in an inventory line is a DAX005 warning naming the line, not a crash', () => {
    for (const odd of ['\r', '\u2028']) {
      const inventory = parseInventory(`[rack1]\nhbm01${odd}hbm02\nhbm03\n`, 'bad.ini');
      const a = run(rack, { inventory, inventoryName: 'bad.ini' });
      const w = a.findings.find((f) => f.code === 'DAX005' && f.message.startsWith('bad.ini:2: column 6:'));
      expect(w?.severity).toBe('warning');
      expect(a.members.map((m) => m.host)).toEqual(['hbm03']);
    }
  });
});
