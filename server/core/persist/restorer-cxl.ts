// The CXL part of the boot-time restorer (restorer.ts): the engine's functions that find a
// persisted `cxl region`'s memdevs by serial, check its window and what holds the memdevs, adopt
// the region when it is there as recorded or make it with the planner's own writes
// (plan/cxl.ts cxlCreateWrites, the decoders found at boot as positional parameters), then wait
// for its dax region; and the per-region block that records its geometry. docs/persist.md.

import { cxlBindWrite, cxlCreateWrites, type CxlCreateWrite } from '../plan/cxl';
import { formatBytes, hex } from '../units';
import { LABEL_RE, quoted, type RestoreCxl, type RestoreRegion } from './spec';

/** The engine's CXL functions (they use its say, get, w, drv and waitfor). */
export const CXL_ENGINE = `# cxlfind: the endpoint decoder of each memdev of $MS (SERIAL:INDEX in interleave order) in $DEC.
# Memdevs are found by serial: memN and endpointN follow probe order, which changes between
# boots. Waits for them (modules probe asynchronously at boot); 1 when one is missing.
cxlfind() {
  t=0
  while :; do
    DEC= miss=
    for x in $MS; do
      v=
      for e in "$S$X"/endpoint*; do
        [ -r "$e/uport/serial" ] || continue
        read -r s < "$e/uport/serial" || continue
        if [ "$s" = "\${x%:*}" ]; then v=decoder\${e##*/endpoint}.\${x#*:}; fi
      done
      if [ -n "$v" ] && [ -e "$S$X/$v" ]; then DEC="$DEC $v"; else miss="$miss \${x%:*}"; fi
    done
    [ -n "$miss" ] || return 0
    if [ "$t" -ge "$WAIT" ]; then
      ml= sl=
      for m in "$S$X"/mem*; do if [ -r "$m/serial" ]; then read -r s < "$m/serial"; ml="$ml \${m##*/}:$s"; fi; done
      for x in $MS; do sl="$sl \${x%:*}"; done
      say "no CXL memdev with serial$miss within $((WAIT / 10)) s (the layout's memdevs by serial, in interleave order:$sl; this host's:\${ml:- none}): the memdevs differ; refusing to touch it"
      return 1
    fi
    if [ "$t" -lt 10 ]; then sleep 0.1; t=$((t + 1)); else sleep 1; t=$((t + 10)); fi
  done
}

# cxlregion: the CXL region $K the dax region is made from, before its devices. There as
# recorded (window, ways, granularity, size, start, the memdevs' decoders in order, committed):
# adopted, nothing written (bound when it is not). Absent: made with cxlwrites, the planner's
# writes, on the decoders cxlfind found. Refused before any write when the window or the memdevs
# differ, when another region holds the memdevs or the window, or when the window offers another id.
cxlregion() {
  n=0
  waitfor "$X/$W/start" || return 1
  get "$X/$W/start"; s=$v; get "$X/$W/size"
  if [ "$s" != "$WA" ] || [ "$v" != "$WZ" ]; then
    say "CXL window $W is \${s:-?} + \${v:-?} now, the layout was made for $WA + $WZ: the window differs; refusing to touch it"
    return 1
  fi
  cxlfind || return 1
  for d in $DEC; do
    ep=\${d%.*}; read -r s < "$S$X/endpoint\${ep#decoder}/uport/serial" || s=?
    for e in "$S$X/$ep".[0-9]*; do
      get "$X/\${e##*/}/region"
      case " $K$CXL " in *" $v "*) continue ;; esac
      if [ -n "$v" ]; then say "the memdev with serial $s is in $v (\${e##*/}), which the layout does not have: another region holds the memdevs; refusing to touch it"; return 1; fi
    done
  done
  for e in "$S$X/$W"/region[0-9]*; do
    [ -e "$e" ] || continue
    case " $K$CXL " in *" \${e##*/} "*) continue ;; esac
    say "CXL window $W holds \${e##*/}, which the layout does not have: $K would not get the range it was made with; refusing to touch it"
    return 1
  done
  if [ -e "$S$X/$K" ]; then
    g=
    for a in interleave_ways interleave_granularity size resource commit; do get "$X/$K/$a"; g="$g $v"; done
    i=0; for d in $DEC; do get "$X/$K/target$i"; g="$g $v"; i=$((i + 1)); done
    if [ "$g" != " $WAYS $G $ZH $A 1$DEC" ] || [ ! -e "$S$X/$W/$K" ]; then
      say "$K is not the region the layout recorded (ways, granularity, size, start, commit, targets:$g; recorded: $WAYS $G $ZH $A 1$DEC in $W); refusing to touch it"
      return 1
    fi
    if [ -e "$S/bus/cxl/drivers/cxl_region/$K" ]; then say "$K is in place as recorded: adopted, nothing written"; return 0; fi
    cxlbind || return 2
    say "$K is in place as recorded: adopted, bound to cxl_region ($n write)"
  else
    get "$X/$W/create_ram_region"
    if [ "$v" != "$K" ]; then
      say "CXL window $W offers \${v:-no region} now, the layout was made with $K (its devices are dax$R.N): refusing to touch it"
      return 1
    fi
    cxlwrites $DEC || return 2
    say "made $K: $Z bytes at $A in $W, $WAYS way(s) × $G B over$DEC ($n writes)"
  fi
  # the bind makes the dax region, and the kernel binds daxR.0 to kmem right after it,
  # asynchronously on 7.3, where the memory blocks come after the driver link (docs/fidelity.md,
  # finding 14): wait (bounded) for the dax device, kmem, and the region's last memory block
  # linked to its node (the last step of kmem's add_memory) before the devices are touched
  waitfor "$P/dax_region/size" "$B/devices/dax$R.0" || return 2
  get "$M/block_size_bytes"; last=$(((A + Z) / 0x\${v:-8000000} - 1))
  t=0
  while [ "$t" -lt "$WAIT" ]; do
    drv "dax$R.0"
    if [ "$v" = kmem ]; then for x in "$S$M/memory$last"/node[0-9]*; do [ -e "$x" ] && return 0; done; fi
    sleep 0.1; t=$((t + 1))
  done
  say "dax$R.0 is not bound to kmem with the region's memory within $((WAIT / 10)) s; going on with what is there"
}
`;

/** A write of the planner's CXL sequence as a line of the restorer: `w PATH VALUE`, the decoders as `\${N}`. */
function cxlLine(x: CxlCreateWrite): string {
  const path = x.path.replace(/^\/sys\//, '/');
  // only plain names and the positional parameters ${1}…${16} reach the program
  const safe = /^(?:[A-Za-z0-9_./-]|\$\{[1-9][0-9]?\})+$/;
  if (!safe.test(path) || !safe.test(x.value) || !x.path.startsWith('/sys/bus/cxl/'))
    throw new Error(`the CXL write ${quoted(x.path)} ← ${quoted(x.value)} cannot be named in a shell program`);
  return `  w "${path}" "${x.value}" || return 2`;
}

/** The CXL part of a region's block: the planner's writes as cxlwrites/cxlbind, the recorded geometry, the call. */
export function cxlBlock(r: RestoreRegion, c: RestoreCxl): string[] {
  const writes = cxlCreateWrites({
    window: c.window.name,
    region: c.name,
    decoders: c.memdevs.map((_, i) => `\${${i + 1}}`),
    granularity: c.granularity,
    size: c.size,
  });
  const serials = c.memdevs.map((m) => serialText(m.serial));
  return [
    `# cxl region ${c.label}: ${c.name} in window ${c.window.name} (${hex(c.window.start)}, ${formatBytes(c.window.size)}), ${c.ways} way${c.ways === 1 ? '' : 's'} × ${c.granularity} B, ${formatBytes(c.size)} at ${hex(r.start)}, memdevs by serial ${serials.join(', ')}`,
    '# cxlwrites DECODER...: the writes daxlayout apply makes it with (the endpoint decoders in interleave order)',
    'cxlwrites() {',
    ...writes.map(cxlLine),
    '}',
    'cxlbind() {',
    cxlLine(cxlBindWrite(c.name)),
    '}',
    `R=${r.id} P='${r.path.replace(/^\/sys/, '')}' K=${c.name} W=${c.window.name} WA=${hex(c.window.start)} WZ=${hex(c.window.size)}`,
    `WAYS=${c.ways} G=${c.granularity} Z=${c.size} ZH=${hex(c.size)} A=${hex(r.start)} MS='${c.memdevs.map((m, i) => `${serials[i]}:${m.decoder}`).join(' ')}'`,
  ];
}

/** A memdev's serial as the kernel prints it (`%#llx`: 0x1, or 0). */
const serialText = (v: bigint): string => (v === 0n ? '0' : hex(v));

const isIndex = (n: number): boolean => Number.isSafeInteger(n) && n >= 0;
const isBytes = (n: bigint): boolean => typeof n === 'bigint' && n >= 0n && n < 1n << 64n;
const CXL_WINDOW_RE = /^decoder\d{1,9}\.\d{1,9}$/;

/** Why a CXL record cannot be written into the restorer, or undefined. */
export function unsafeCxl(r: RestoreRegion, c: RestoreCxl): string | undefined {
  const q = quoted;
  if (typeof c.label !== 'string' || !LABEL_RE.test(c.label)) return `cxl region label ${q(c.label)} cannot be named`;
  if (c.name !== `region${r.id}`) return `CXL region ${q(c.name)} is not region${r.id}, whose dax region this is`;
  if (typeof c.window?.name !== 'string' || !CXL_WINDOW_RE.test(c.window.name))
    return `CXL window ${q(c.window?.name)} is not a root decoder name`;
  if (!isBytes(c.window.start) || !isBytes(c.window.size) || !isBytes(c.size) || c.size !== r.size)
    return `the CXL region's window and size are not made of numbers (or its size is not the dax region's)`;
  if (!Array.isArray(c.memdevs) || c.memdevs.length === 0 || c.memdevs.length > 16 || c.ways !== c.memdevs.length)
    return `the CXL region's ${q(c.ways)} ways are not its ${c.memdevs?.length ?? 0} memdevs (1 to 16)`;
  if (!c.memdevs.every((m) => isBytes(m.serial) && isIndex(m.decoder) && m.decoder < 1000))
    return `the CXL region's memdev serials and decoder indexes are not numbers`;
  if (!isIndex(c.granularity) || c.granularity === 0) return `the CXL granularity ${q(c.granularity)} is not a number`;
  return undefined;
}
