// The daxlayout-facts/1 file format (docs/facts.md), reading continued: a NUMA node with its
// HMAT access classes and memory-side caches (`nodes[]`). format.ts reads the rest.

import type { AccessClassFacts, MemorySideCacheFacts, NodeFacts } from '../host-facts';
import { ptr, type JNode } from './json';
import { Fields, asFields, known, smallInt } from './fields';
import type { Problems } from './problems';

const NODE_KEYS = ['id', 'cpus', 'online', 'memTotal', 'access0', 'access1', 'caches'];
const ACCESS_KEYS = ['initiators', 'readLatency', 'writeLatency', 'readBandwidth', 'writeBandwidth'];
const CACHE_KEYS = ['level', 'size', 'lineSize', 'indexing', 'writePolicy', 'addressMode'];

export function readNode(n: JNode, path: string, p: Problems): NodeFacts | undefined {
  const f0 = asFields(n, path, `nodes[${path.split('/').pop()}]`, p);
  if (!f0) return undefined;
  const idNode = f0.get('id');
  const f = new Fields(
    f0.node,
    path,
    p,
    idNode?.kind === 'num' && /^\d+$/.test(idNode.raw) ? `node ${idNode.raw}` : f0.what,
  );
  f.unknownKeys(known(NODE_KEYS, f));
  const before = p.errorCount;
  const id = f.int('id', true, 0);
  const cpus = f.str('cpus', true, '"" for a CPU-less node');
  if (cpus !== undefined && !/^(\d+(-\d+)?(,\d+(-\d+)?)*)?$/.test(cpus.trim())) {
    p.error(`${f.what}: "cpus" must be a CPU list such as "0-3,8" (or ""), not "${cpus}"`, f.loc('cpus'));
  }
  const online = f.bool('online', true);
  const memTotal = f.big('memTotal', false, 'facts');
  const access0 = readAccess(f, 'access0', p);
  const access1 = readAccess(f, 'access1', p);
  const caches: MemorySideCacheFacts[] = [];
  const levels = new Set<number>();
  f.arr('caches', false)?.forEach((cn, i) => {
    const cpath = ptr(ptr(path, 'caches'), i);
    const cf = asFields(cn, cpath, `${f.what} caches[${i}]`, p);
    if (!cf) return;
    cf.unknownKeys(known(CACHE_KEYS, cf));
    const level = cf.int('level', true, 1);
    const size = cf.big('size', true, 'facts');
    const lineSize = cf.int('lineSize', true, 0);
    const indexing = cf.int('indexing', true, 0, 2);
    const writePolicy = cf.int('writePolicy', true, 0, 2);
    const addressMode = cf.int('addressMode', false, 0);
    if (
      level === undefined ||
      size === undefined ||
      lineSize === undefined ||
      indexing === undefined ||
      writePolicy === undefined
    )
      return;
    if (levels.has(level))
      p.error(`${f.what}: memory-side cache level ${level} appears more than once`, cf.loc('level'));
    levels.add(level);
    caches.push({
      level,
      size,
      lineSize,
      indexing,
      writePolicy,
      ...(addressMode !== undefined ? { addressMode } : {}),
    });
  });
  if (p.errorCount > before || id === undefined || cpus === undefined || online === undefined) return undefined;
  return {
    id,
    cpus: cpus.trim(),
    online,
    ...(memTotal !== undefined ? { memTotal } : {}),
    ...(access0 !== undefined ? { access0 } : {}),
    ...(access1 !== undefined ? { access1 } : {}),
    caches: caches.sort((a, b) => a.level - b.level),
  };
}

function readAccess(f: Fields, key: 'access0' | 'access1', p: Problems): AccessClassFacts | undefined {
  const af = f.obj(key, false, `${f.what} ${key}`);
  if (!af) return undefined;
  af.unknownKeys(known(ACCESS_KEYS, af));
  const initiators: number[] = [];
  af.arr('initiators', true)?.forEach((n, i) => {
    const v = smallInt(
      n,
      ptr(ptr(af.path, 'initiators'), i),
      `${af.what} initiators[${i}]`,
      0,
      Number.MAX_SAFE_INTEGER,
      p,
    );
    if (v !== undefined) initiators.push(v);
  });
  const readLatency = af.int('readLatency', false, 0);
  const writeLatency = af.int('writeLatency', false, 0);
  const readBandwidth = af.int('readBandwidth', false, 0);
  const writeBandwidth = af.int('writeBandwidth', false, 0);
  return {
    initiators: [...new Set(initiators)].sort((a, b) => a - b),
    ...(readLatency !== undefined ? { readLatency } : {}),
    ...(writeLatency !== undefined ? { writeLatency } : {}),
    ...(readBandwidth !== undefined ? { readBandwidth } : {}),
    ...(writeBandwidth !== undefined ? { writeBandwidth } : {}),
  };
}
