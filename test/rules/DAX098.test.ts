import { describe, expect, it } from 'vitest';
import { analyze } from '../../server/core/index';
import { deviceSize } from '../../server/core/kernel/state';
import { LAB61, expectFinding, expectNone, sampleReader } from './harness';

// Twenty 2 MiB devices: a little more than a hundred units of work.
const MANY = `${LAB61}region 0 on lab {\n${Array.from({ length: 20 }, (_, i) => `  device d${i} { size 2M }\n`).join('')}}\n`;

describe('DAX098 analysis stopped short', () => {
  it('fires on the host when the model runs out of its budget, and the plan stops there', () => {
    const text = MANY.replace('host lab', 'host <|lab|>');
    const [f] = expectFinding(
      text,
      'DAX098',
      'warning',
      /^the analysis of lab stopped short: the kernel model spent its budget of 40 units of work after \d+ plan step\(s\)/,
      {
        workBudget: 40,
      },
    );
    expect(f).toBeDefined();
    const a = analyze(MANY, { readFacts: sampleReader(), workBudget: 40 });
    const plan = a.hosts[0]?.plan;
    expect(plan?.stoppedShort?.budget).toBe(40);
    // the plan stopped: fewer than the twenty devices reach their size, and no write is refused
    const sized = [...(plan?.assigned ?? [])].filter(([l, d]) => deviceSize(d) === plan?.targetSize.get(l));
    expect(sized.length).toBeLessThan(20);
    expect(plan?.failures).toEqual([]);
  });

  it('does not fire with the default budget', () => {
    expectNone(MANY, 'DAX098');
    const a = analyze(MANY, { readFacts: sampleReader() });
    expect(a.hosts[0]?.plan?.stoppedShort).toBeUndefined();
    const plan = a.hosts[0]?.plan;
    expect([...(plan?.assigned ?? [])].filter(([l, d]) => deviceSize(d) === plan?.targetSize.get(l))).toHaveLength(20);
  });
});
