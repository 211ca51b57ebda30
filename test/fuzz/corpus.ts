// The real inputs the fuzzer starts from: the sample layouts, the facts files
// and daxctl JSON next to them, the capture dumps and daxctl fixtures of the
// tests, and the fleet fixtures (an INI inventory, per-host facts).

import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

export interface Corpus {
  /** `samples/*.dax`, by file name. */
  readonly layouts: Readonly<Record<string, string>>;
  /** daxlayout-facts/1 files (`samples/*.facts.json`), by file name. */
  readonly facts: Readonly<Record<string, string>>;
  /** `daxctl list -RDMi` JSON. */
  readonly daxctl: Readonly<Record<string, string>>;
  /** Capture dumps (`### path` sections). */
  readonly captures: Readonly<Record<string, string>>;
  /** Ansible inventories. */
  readonly inventories: Readonly<Record<string, string>>;
}

function dir(root: string, rel: string, test: (name: string) => boolean): Record<string, string> {
  const out: Record<string, string> = {};
  const d = join(root, rel);
  for (const name of readdirSync(d).sort()) if (test(name)) out[name] = readFileSync(join(d, name), 'utf8');
  return out;
}

/** The corpus of the checkout at `root`. */
export function loadCorpus(root: string): Corpus {
  return {
    layouts: {
      ...dir(root, 'samples', (n) => n.endsWith('.dax')),
      'rack.dax': readFileSync(join(root, 'test/fleet/fixtures/rack.dax'), 'utf8'),
    },
    facts: {
      ...dir(root, 'samples', (n) => n.endsWith('.facts.json')),
      ...dir(root, 'test/fleet/fixtures/facts', (n) => n.endsWith('.json')),
    },
    daxctl: {
      ...dir(root, 'samples', (n) => n.endsWith('.daxctl.json')),
      ...dir(root, 'test/fixtures/kernel', (n) => n.endsWith('.json')),
      ...dir(root, 'test/fixtures/facts', (n) => n.endsWith('.json')),
    },
    captures: {
      ...dir(root, 'test/fixtures/facts', (n) => n.endsWith('.txt')),
      ...dir(root, 'test/fleet/fixtures', (n) => n.endsWith('.txt')),
    },
    inventories: dir(root, 'test/fleet/fixtures', (n) => n.endsWith('.ini')),
  };
}
