// Shared by the persist tests: the sample boot facts of 6.1 and 6.12 and a one-region layout on them.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { analyze, readFacts, type Analysis, type HostFacts } from '../../server/core/index';
import { SAMPLES, sampleReader } from '../rules/harness';

export const FACTS = { '6.1': 'linux-6.1.facts.json', '6.12': 'linux-6.12.facts.json' } as const;
export type Kernel = keyof typeof FACTS;

export function bootFacts(kernel: Kernel, change?: (f: HostFacts) => HostFacts): HostFacts {
  const { facts } = readFacts(readFileSync(join(SAMPLES, FACTS[kernel]), 'utf8'), FACTS[kernel]);
  if (!facts) throw new Error('unreadable sample facts');
  return change ? change(facts) : facts;
}

export function layout(kernel: Kernel, body: string, factsText?: string): Analysis {
  const text = `host lab { facts "f.json" }\nregion 0 on lab {\n  persist\n${body}\n}\n`;
  return analyze(text, {
    readFacts: sampleReader({ 'f.json': factsText ?? readFileSync(join(SAMPLES, FACTS[kernel]), 'utf8') }),
  });
}
