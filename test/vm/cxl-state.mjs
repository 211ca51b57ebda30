// test/vm/cxl-state.mjs — the CXL side of the guest programs of run-script.mjs and the fidelity
// harness (test/fidelity/, which bundles it: no file access here): the CXL part of a capture
// dump, the `cxlstate` shell function that prints the CXL state after a write, and its parser.

/** The CXL bus part of test/vm/cxl-capture.sh (its text), in a subshell: sent after test/vm/capture.sh, which has the rest. */
export const cxlCapturePart = (cxlCaptureSh) => `( CXL_ONLY=1\n${cxlCaptureSh.trim()}\n)`;

// The CXL state compared after each write on the CXL machines: root decoders (the region name on
// offer), endpoint decoders (mode, DPA), regions (configuration, targets, bound to cxl_region).
// Only shell builtins (read, test): a TCG guest forks slowly, and this runs after every write.
export const CXL_STATE_FN = `rd() { v=; read -r v < "$1" 2>/dev/null; }
cxlstate() {
  for d in /sys/bus/cxl/devices/decoder*; do
    if [ -e "$d/create_ram_region" ]; then rd "$d/create_ram_region"; echo "root \${d##*/} $v"
    elif [ -e "$d/dpa_size" ]; then
      rd "$d/mode"; m=$v; rd "$d/dpa_size"; z=$v; rd "$d/dpa_resource"; a=$v; rd "$d/region"
      echo "ep \${d##*/} $m $z $a -$v"
    fi
  done
  for r in /sys/bus/cxl/devices/region*; do
    [ -d "$r" ] || continue
    rd "$r/interleave_ways"; w=$v; t=""; i=0
    while [ "$i" -lt "$w" ]; do rd "$r/target$i"; t="$t -$v"; i=$((i + 1)); done
    b=0; [ -L "$r/driver" ] && b=1
    l=-; [ -e "$r/locked" ] && rd "$r/locked" && l=$v
    rd "$r/commit"; c=$v; rd "$r/interleave_granularity"; gr=$v; rd "$r/size"; z=$v; rd "$r/resource"
    echo "region \${r##*/} $c $w $gr $z $v $b $l$t"
  done
}`;

/** The guest's cxlstate lines in the shape of cxlSnapshot (server/core/kernel/cxl-snapshot.ts). */
export function parseCxlState(text) {
  const num = (h) => (/^0x[0-9a-f]+$|^\d+$/i.test(h) ? BigInt(h) : undefined);
  const out = { roots: [], endpoints: [], regions: [] };
  for (const l of text.split('\n')) {
    const f = l.trim().split(/\s+/).map((x) => x ?? '');
    if (f[0] === 'ep' && f.length !== 6) throw new Error(`cxlstate: unexpected line: ${l}`);
    if (f[0] === 'region' && f.length < 9) throw new Error(`cxlstate: unexpected line: ${l}`);
    if (f[0] === 'root') out.roots.push({ name: f[1], create_ram_region: f[2] });
    else if (f[0] === 'ep') {
      const res = num(f[4]);
      out.endpoints.push({ name: f[1], mode: f[2], dpa_size: String(num(f[3]) ?? f[3]), dpa_resource: res === undefined || res === 0xffffffffffffffffn ? null : String(res), region: f[5] === '-' ? null : f[5].slice(1) });
    } else if (f[0] === 'region') {
      const res = num(f[6]);
      out.regions.push({
        name: f[1], commit: f[2] === '1', interleave_ways: Number(f[3]), interleave_granularity: Number(f[4]), size: String(num(f[5]) ?? f[5]),
        resource: res === undefined || res === 0xffffffffffffffffn ? null : String(res), targets: f.slice(9).map((t) => (t === '-' ? null : t.slice(1))), bound: f[7] === '1',
        ...(f[8] !== '-' ? { locked: f[8] === '1' } : {}),
      });
    }
  }
  return out;
}
