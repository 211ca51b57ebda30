// Reader for capture dumps: the text a capture script prints on a host, one
// section per file or command:
//
//   ### /sys/devices/platform/hmem.0/dax_region/size
//   2147483648
//   ### /sys/bus/dax/devices/dax0.0/driver -> ../../../../bus/dax/drivers/kmem
//   ### uname -r
//   6.12.117+deb12-amd64
//
// A header `### PATH -> TARGET` records a symlink. A body that is only an
// error line (`cat: can't open '…': No such file or directory`, GNU
// `cat: …: No such file or directory`) means the file is absent; `Permission
// denied` means it exists but could not be read. Unknown sections are
// ignored. docs/facts.md "Capture dumps" lists the sections used.
//
// This file reads the host (release, architecture, page and block sizes) and puts the parts
// together: capture-sections.ts splits the dump, capture-regions.ts reads regions and devices,
// capture-blocks.ts memory blocks, capture-nodes.ts NUMA nodes and HMAT.

import { formatBytes } from '../units';
import type { AutoOnlinePolicy, HostFacts } from '../host-facts';
import { AUTO_ONLINE_POLICIES, Problems, type ReadFactsOptions, type ReadFactsResult } from './problems';
import {
  archDefaults,
  bytes,
  checkBlocks,
  checkRegions,
  finishRegion,
  settleRegionStarts,
  checkOptions,
  dedupe,
  isPowerOfTwo,
} from './infer';
import { inferAutoOnline, inferBlockSize } from './daxctl';
import { Dump, at, parseDec, parseHexBare, splitSections } from './capture-sections';
import { readDaxctlSection, readRegions } from './capture-regions';
import { daxBlocks, readBlocks } from './capture-blocks';
import { readNodes } from './capture-nodes';

export { parseList, splitSections, type Section, type SectionStatus } from './capture-sections';

export function readCaptureText(
  text: string,
  source: string,
  options: ReadFactsOptions = {},
): ReadFactsResult<HostFacts> {
  const problems = new Problems();
  try {
    if (!checkOptions(options, problems)) return { problems: problems.list };
    const facts = build(text, source, options, problems);
    return facts ? { facts, problems: problems.list } : { problems: problems.list };
  } catch (e) {
    problems.error(`internal error while reading the capture: ${e instanceof Error ? e.message : String(e)}`);
    return { problems: problems.list };
  }
}

function build(text: string, source: string, options: ReadFactsOptions, p: Problems): HostFacts | undefined {
  const dump = new Dump(splitSections(text));
  if (dump.sections.length === 0) {
    p.error('no "### " sections: this is not a capture dump');
    return undefined;
  }
  const assumptions: string[] = [];
  const host = readHost(dump, options, p, assumptions);
  const { kernelRelease, arch, defs, hostname, pageSize, daxAligns, memmapOnMemorySupported, regionIdle } = host;
  let { blockSize, autoOnline } = host;

  const dx = readDaxctlSection(dump, kernelRelease, p);
  const daxctl = dx.daxctl;
  const regions = readRegions(dump, dx, kernelRelease, regionIdle, p, assumptions);

  settleRegionStarts(regions, options.regionStart, p, 'from the capture');
  checkRegions(regions, { pageSize }, p);

  // --- memory block size and auto-online fallbacks -----------------------
  if (blockSize === undefined) {
    if (daxctl) blockSize = inferBlockSize(daxctl, undefined, defs, p, assumptions);
    else {
      blockSize = defs.blockSize;
      assumptions.push(
        `memory block size assumed ${bytes(blockSize)} (the ${defs.arch} minimum): block_size_bytes was not captured`,
      );
    }
  }
  if (autoOnline === undefined) {
    autoOnline = inferAutoOnline(daxctl ?? [], undefined, assumptions);
  }

  // --- memory blocks -------------------------------------------------------
  const { blocks: captured, nodeLists } = readBlocks(dump);
  const memoryBlocks = daxBlocks(regions, captured, nodeLists, blockSize, daxctl, p, assumptions);
  checkBlocks(memoryBlocks, p);

  // --- nodes -------------------------------------------------------------
  const nodes = readNodes(dump, regions, memoryBlocks, captured, nodeLists, blockSize, p);

  if (p.errorCount > 0) return undefined;

  if (kernelRelease === undefined) {
    p.error('the capture has no `uname -r` section; pass --kernel RELEASE (a `uname -r` string)');
  }
  return {
    source,
    ...(hostname !== undefined ? { hostname } : {}),
    kernelRelease,
    arch,
    pageSize,
    ...(daxAligns !== undefined ? { daxAligns } : {}),
    memoryBlockSize: blockSize,
    autoOnlineBlocks: autoOnline,
    ...(memmapOnMemorySupported !== undefined ? { memmapOnMemorySupported } : {}),
    regions: regions.map(finishRegion),
    memoryBlocks: memoryBlocks.map(({ loc: _l, ...b }) => b),
    nodes,
    assumptions: dedupe(assumptions),
  };
}

/** The host's release, architecture, page and memory-block sizes, auto-online policy and dax aligns. */
function readHost(dump: Dump, options: ReadFactsOptions, p: Problems, assumptions: string[]) {
  const unameR = dump.firstVal(['uname -r', '/proc/sys/kernel/osrelease']);
  let kernelRelease = unameR?.value || undefined;
  if (options.kernelRelease !== undefined) {
    if (kernelRelease !== undefined && kernelRelease !== options.kernelRelease) {
      p.warning(
        `--kernel ${options.kernelRelease} replaces the captured release ${kernelRelease}`,
        at(unameR?.section),
      );
    }
    kernelRelease = options.kernelRelease;
  }
  const unameM = dump.firstVal(['uname -m', 'arch']);
  let arch = options.arch ?? (unameM?.value || undefined);
  if (arch === undefined) {
    arch = 'x86_64';
    assumptions.push('architecture assumed x86_64: the capture has no `uname -m` section');
  }
  const defs = archDefaults(arch);
  if (!defs.known)
    p.warning(`architecture "${arch}" is not modelled; x86_64 defaults are used where the capture gives nothing`);
  const hostname =
    dump.firstVal(['hostname', 'uname -n', '/proc/sys/kernel/hostname', '/etc/hostname'])?.value || undefined;

  const ps = dump.firstVal(['getconf PAGESIZE', 'getconf PAGE_SIZE', 'page size']);
  let pageSize = parseDec(ps?.value);
  if (ps && (pageSize === undefined || !isPowerOfTwo(pageSize))) {
    p.warning(`cannot read the page size "${ps.value}"`, at(ps.section));
    pageSize = undefined;
  }
  if (pageSize === undefined) {
    pageSize = defs.pageSize;
    assumptions.push(`page size assumed ${formatBytes(pageSize)}: the capture has no \`getconf PAGESIZE\` section`);
  }

  const bsTitle = '/sys/devices/system/memory/block_size_bytes';
  let blockSize = options.memoryBlockSize;
  let bsCaptured = parseHexBare(dump.val(bsTitle));
  if (
    dump.val(bsTitle) !== undefined &&
    (bsCaptured === undefined || !isPowerOfTwo(bsCaptured) || bsCaptured < pageSize)
  ) {
    p.warning(`cannot read block_size_bytes "${dump.val(bsTitle)}" (hex, a power of two)`, at(dump.sec(bsTitle)));
    bsCaptured = undefined;
  }
  if (blockSize !== undefined && bsCaptured !== undefined && bsCaptured !== blockSize) {
    p.warning(`--block-size ${bytes(blockSize)} replaces the captured ${bytes(bsCaptured)}`, at(dump.sec(bsTitle)));
  }
  blockSize ??= bsCaptured;

  const aoTitle = '/sys/devices/system/memory/auto_online_blocks';
  let autoOnline: AutoOnlinePolicy | undefined = options.autoOnline;
  const aoVal = dump.val(aoTitle);
  if (aoVal !== undefined) {
    if ((AUTO_ONLINE_POLICIES as readonly string[]).includes(aoVal)) {
      if (autoOnline !== undefined && autoOnline !== aoVal)
        p.warning(`--auto-online ${autoOnline} replaces the captured "${aoVal}"`, at(dump.sec(aoTitle)));
      autoOnline ??= aoVal as AutoOnlinePolicy;
    } else {
      p.warning(`unknown auto_online_blocks value "${aoVal}"`, at(dump.sec(aoTitle)));
    }
  }

  // dax aligns: PAGE_SIZE always; PMD/PUD only with CONFIG_TRANSPARENT_HUGEPAGE,
  // whose sysfs directory the THP section shows.
  const thpTitle = '/sys/kernel/mm/transparent_hugepage/enabled';
  let daxAligns: bigint[] | undefined;
  const thp = dump.status(thpTitle);
  if (thp === 'value' && defs.aligns) {
    daxAligns = [...defs.aligns];
    assumptions.push(
      `dax aligns ${daxAligns.map(bytes).join(', ')} taken from the ${arch} table: the capture shows transparent hugepages configured (CONFIG_TRANSPARENT_HUGEPAGE)`,
    );
  } else if (thp === 'absent') {
    daxAligns = [pageSize];
    assumptions.push('dax aligns: only the page size, since the capture shows no transparent_hugepage support');
  }

  const mom = dump.val('/sys/module/memory_hotplug/parameters/memmap_on_memory');
  let memmapOnMemorySupported: boolean | undefined;
  if (mom !== undefined) memmapOnMemorySupported = /^(y|1|force|true|on)/i.test(mom);
  const idleVal = dump.val('/sys/module/dax_hmem/parameters/region_idle');
  const regionIdle = idleVal === undefined ? undefined : /^(y|1|true|on)/i.test(idleVal);

  return {
    kernelRelease,
    arch,
    defs,
    hostname,
    pageSize,
    blockSize,
    autoOnline,
    daxAligns,
    memmapOnMemorySupported,
    regionIdle,
  };
}
