// Hover, completion, quick fixes, formatting, rename and navigation over the protocol.
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { TextDocument } from 'vscode-languageserver-textdocument';
import type {
  CodeAction,
  CompletionList,
  DocumentSymbol,
  FoldingRange,
  Hover,
  InlayHint,
  Location,
  MarkupContent,
  SemanticTokens,
  TextEdit,
  WorkspaceEdit,
} from 'vscode-languageserver-protocol/node';
import { analyze, format } from '../../server/core/index';
import { FULL_CAPABILITIES, sampleUri, SAMPLES, startClient, type Client } from './harness';

const read = (name: string) => readFileSync(resolve(SAMPLES, name), 'utf8');
const readFacts = (p: string) => ({ text: readFileSync(resolve(SAMPLES, p), 'utf8') });
let client: Client | undefined;
afterEach(() => client?.close());

/** Opens `text` as `uri` and returns a position helper: the position of `needle` (+ delta characters). */
async function openDoc(uri: string, text: string) {
  client = await startClient();
  await client.open(uri, text);
  const doc = TextDocument.create(uri, 'dax', 1, text);
  return {
    doc,
    at(needle: string, delta = 0) {
      const i = text.indexOf(needle);
      if (i < 0) throw new Error(`no ${needle}`);
      return doc.positionAt(i + delta);
    },
  };
}

const request = <R>(method: string, params: unknown) => client!.connection.sendRequest(method, params) as Promise<R>;

describe('hover', () => {
  it("shows a region with its node's HMAT latency and bandwidth and memory-side cache", async () => {
    const uri = sampleUri('hmat-node1.dax');
    const { at } = await openDoc(uri, read('hmat-node1.dax'));
    const h = await request<Hover>('textDocument/hover', { textDocument: { uri }, position: at('region 0', 7) });
    const md = (h.contents as MarkupContent).value;
    expect((h.contents as MarkupContent).kind).toBe('markdown');
    expect(md).toContain('`0x140000000..0x17fffffff` · 1 GiB');
    // short: placement first, the node's HMAT data in one line (its full table is on the node's own hover)
    expect(md.split('\n\n')[0]).toBe('**region 0** on `lab61n1` · Linux 6.1.0-57-amd64');
    expect(md).toContain('node 1: read 40 ns, 2048 MB/s from node 0 (HMAT access1) · L1 memory-side cache 256 MiB');
    expect(md).not.toContain('| access0');
    expect(md.split('\n').length).toBeLessThan(12);
    expect(h.range).toEqual({ start: at('region 0', 7), end: at('region 0', 8) });
  });

  it("shows a device's kernel name, predicted ranges and System RAM use", async () => {
    const uri = sampleUri('hmat-node1.dax');
    const { at } = await openDoc(uri, read('hmat-node1.dax'));
    const h = await request<Hover>('textDocument/hover', { textDocument: { uri }, position: at('far-ram', 2) });
    const md = (h.contents as MarkupContent).value;
    expect(md).toMatch(/^\*\*device `far-ram`\*\* → `dax0\.1` · region 0 on `lab61n1`/);
    // placement first: the one physical range on the line under the title
    expect(md.split('\n\n')[1]).toBe('`0x160000000..0x16fffffff`');
    expect(md).toContain('256 MiB usable in 2 blocks of 128 MiB · 0 B lost');
    expect(md).toContain('system-ram online movable (kmem)');
  });

  it('answers plain text to a client without Markdown, and null off any element', async () => {
    client = await startClient({}, {});
    const uri = sampleUri('hbm-lab.dax');
    const text = read('hbm-lab.dax');
    await client.open(uri, text);
    const doc = TextDocument.create(uri, 'dax', 1, text);
    const h = await request<Hover>('textDocument/hover', {
      textDocument: { uri },
      position: doc.positionAt(text.indexOf('1G align')),
    });
    expect((h.contents as MarkupContent).kind).toBe('plaintext');
    // `1 GiB · 0x40000000`: no raw byte count beside the binary unit
    expect((h.contents as MarkupContent).value).toMatch(/1 GiB · `?0x40000000`?/);
    expect((h.contents as MarkupContent).value).not.toContain('1073741824');
    expect(
      await request('textDocument/hover', { textDocument: { uri }, position: { line: 5, character: 0 } }),
    ).toBeNull();
  });
});

describe('completion', () => {
  it('offers the device properties in an empty device block', async () => {
    const uri = sampleUri('complete.dax');
    const text = 'host lab61 {\n  facts "linux-6.1.facts.json"\n}\n\nregion 0 on lab61 {\n  device a {  }\n}\n';
    const { at } = await openDoc(uri, text);
    const list = await request<CompletionList>('textDocument/completion', {
      textDocument: { uri },
      position: at('{  }', 2),
    });
    expect(list.items.map((i) => i.label)).toEqual([
      'size',
      'align',
      'mode',
      'range',
      'name',
      'colours',
      'expect',
      'owner',
      'group',
      'permissions',
    ]);
    expect(list.items[0]?.detail).toBe('size NUMBER | size rest');
  });

  it('offers the sizes that fit after `size ` and the modes after a space trigger', async () => {
    const uri = sampleUri('complete.dax');
    const text =
      'host lab61 {\n  facts "linux-6.1.facts.json"\n}\n\nregion 0 on lab61 {\n  device a { size 1G }\n  device b { size  }\n  device c { mode  }\n}\n';
    const { at } = await openDoc(uri, text);
    const sizes = await request<CompletionList>('textDocument/completion', {
      textDocument: { uri },
      position: at('size  }', 5),
    });
    expect(sizes.items.map((i) => i.label)).toEqual(['1G', 'rest']);
    expect(sizes.items[0]?.detail).toBe('1 GiB: all that is free in region 0');
    const modes = await request<CompletionList>('textDocument/completion', {
      textDocument: { uri },
      position: at('mode  }', 5),
      context: { triggerKind: 2, triggerCharacter: ' ' },
    });
    expect(modes.items.map((i) => i.label)).toEqual(['devdax', 'system-ram']);
    // a space after a complete property opens nothing
    const after = await request<CompletionList | null>('textDocument/completion', {
      textDocument: { uri },
      position: at('size 1G ', 8),
      context: { triggerKind: 2, triggerCharacter: ' ' },
    });
    expect(after).toBeNull();
  });
});

describe('code actions', () => {
  it('fixes DAX010 by rounding the size; the result analyses clean and stays formatted', async () => {
    const uri = sampleUri('dax010.dax');
    const text =
      'host lab61 {\n  facts "linux-6.1.facts.json"\n}\n\nregion 0 on lab61 {\n  device a { size 3M }\n  device b { size rest }\n}\n';
    expect(format(text)).toBe(text);
    const { at, doc } = await openDoc(uri, text);
    const range = { start: at('3M'), end: at('3M', 2) };
    const actions = await request<CodeAction[]>('textDocument/codeAction', {
      textDocument: { uri },
      range,
      context: { diagnostics: [] },
    });
    expect(actions.map((a) => a.title)).toEqual(['Change size to 2M', 'Change size to 4M']);
    expect(actions[0]?.kind).toBe('quickfix');
    expect(actions[0]?.diagnostics?.[0]?.code).toBe('DAX010');
    const edits = actions[1]!.edit!.changes![uri] as TextEdit[];
    const fixed = TextDocument.applyEdits(doc, edits);
    expect(fixed).toContain('device a { size 4M }');
    expect(format(fixed)).toBe(fixed);
    expect(analyze(fixed, { readFacts }).findings).toEqual([]);
  });

  it('a fix in a formatted file leaves it formatted (the device keeps the lines it has)', async () => {
    // 101 columns with `size 1023M`: the formatter puts the device on several lines. The fix
    // `1G` would make it fit in 100, but the formatter keeps the user's line structure: it
    // stays on several lines, and the file stays formatted.
    const label = 'x'.repeat(53);
    const text = format(
      `host lab61 {\n  facts "linux-6.1.facts.json"\n}\n\nregion 0 on lab61 {\n  device ${label} { size 1023M mode system-ram movable }\n}\n`,
    )!;
    expect(text).toContain('    size 1023M\n');
    const uri = sampleUri('dax010-long.dax');
    const { at, doc } = await openDoc(uri, text);
    const actions = await request<CodeAction[]>('textDocument/codeAction', {
      textDocument: { uri },
      range: { start: at('1023M'), end: at('1023M') },
      context: { diagnostics: [] },
    });
    const fix = actions.find((a) => a.title === 'Change size to 1G')!;
    const fixed = TextDocument.applyEdits(doc, fix.edit!.changes![uri] as TextEdit[]);
    expect(fixed).toContain(`  device ${label} {\n    size 1G\n    mode system-ram movable\n  }\n`);
    expect(format(fixed)).toBe(fixed);
  });

  it('keeps the edit as written in a file that was not formatted', async () => {
    const uri = sampleUri('dax010-loose.dax');
    const text = 'host lab61 {\n facts "linux-6.1.facts.json" }\nregion 0 on lab61 { device a { size 3M } }\n';
    const { at } = await openDoc(uri, text);
    const actions = await request<CodeAction[]>('textDocument/codeAction', {
      textDocument: { uri },
      range: { start: at('3M'), end: at('3M') },
      context: { diagnostics: [] },
    });
    expect(actions[0]?.edit?.changes?.[uri]).toEqual([{ range: { start: at('3M'), end: at('3M', 2) }, newText: '2M' }]);
  });
  it('leaves the edit to codeAction/resolve for a client that resolves lazily, and drops it once the text changed', async () => {
    const capabilities = {
      ...FULL_CAPABILITIES,
      textDocument: {
        ...FULL_CAPABILITIES.textDocument,
        codeAction: {
          codeActionLiteralSupport: { codeActionKind: { valueSet: ['quickfix'] } },
          dataSupport: true,
          resolveSupport: { properties: ['edit'] },
        },
      },
    };
    client = await startClient({}, capabilities);
    expect(client.initialize.capabilities.codeActionProvider).toEqual({
      codeActionKinds: ['quickfix'],
      resolveProvider: true,
    });
    const uri = sampleUri('dax010-lazy.dax');
    const text = 'host lab61 {\n  facts "linux-6.1.facts.json"\n}\n\nregion 0 on lab61 {\n  device a { size 3M }\n}\n';
    await client.open(uri, text);
    const doc = TextDocument.create(uri, 'dax', 1, text);
    const pos = doc.positionAt(text.indexOf('3M'));
    const actions = await request<CodeAction[]>('textDocument/codeAction', {
      textDocument: { uri },
      range: { start: pos, end: pos },
      context: { diagnostics: [] },
    });
    expect(actions[1]?.edit).toBeUndefined();
    const resolved = await request<CodeAction>('codeAction/resolve', actions[1]);
    expect(TextDocument.applyEdits(doc, resolved.edit!.changes![uri] as TextEdit[])).toBe(text.replace('3M', '4M'));
    await client.change(uri, 2, [{ range: { start: pos, end: pos }, text: ' ' }]);
    expect((await request<CodeAction>('codeAction/resolve', actions[1])).edit).toBeUndefined();
  });
});

describe('formatting', () => {
  it('formats a layout, and leaves one with syntax errors alone', async () => {
    const uri = sampleUri('fmt.dax');
    const text =
      'host   h {\nkernel "6.12.0"\n}\nregion 0 on h {\nstart 0x1_0000_0000\n  size 4G\n device a {size 1G}\n}\n';
    const { doc } = await openDoc(uri, text);
    const edits = await request<TextEdit[]>('textDocument/formatting', {
      textDocument: { uri },
      options: { tabSize: 2, insertSpaces: true },
    });
    expect(TextDocument.applyEdits(doc, edits)).toBe(format(text));
    const broken = sampleUri('broken.dax');
    await client!.open(broken, 'host h {\n  kernel\n');
    expect(
      await request('textDocument/formatting', {
        textDocument: { uri: broken },
        options: { tabSize: 2, insertSpaces: true },
      }),
    ).toEqual([]);
  });
});

describe('rename', () => {
  it('renames a device label, and refuses invalid or clashing names', async () => {
    const uri = sampleUri('hbm-lab.dax');
    const { at } = await openDoc(uri, read('hbm-lab.dax'));
    const prep = await request<{ placeholder: string }>('textDocument/prepareRename', {
      textDocument: { uri },
      position: at('spill', 1),
    });
    expect(prep.placeholder).toBe('spill');
    const edit = await request<WorkspaceEdit>('textDocument/rename', {
      textDocument: { uri },
      position: at('spill', 1),
      newName: 'overflow',
    });
    expect(edit.changes![uri]).toEqual([{ range: { start: at('spill'), end: at('spill', 5) }, newText: 'overflow' }]);
    await expect(
      request('textDocument/rename', { textDocument: { uri }, position: at('spill'), newName: '2fast' }),
    ).rejects.toThrow(/not a valid name/);
    await expect(
      request('textDocument/rename', { textDocument: { uri }, position: at('spill'), newName: 'weather' }),
    ).rejects.toThrow(/already has a device `weather`/);
    await expect(
      request('textDocument/prepareRename', { textDocument: { uri }, position: at('size 1G') }),
    ).rejects.toThrow(/Only host names, device labels and cxl region labels/);
  });

  it('renames a host everywhere it is used', async () => {
    const uri = sampleUri('hbm-lab.dax');
    const { at } = await openDoc(uri, read('hbm-lab.dax'));
    const edit = await request<WorkspaceEdit>('textDocument/rename', {
      textDocument: { uri },
      position: at('on lab61', 4),
      newName: 'lab62',
    });
    expect(edit.changes![uri]!.map((e) => e.range.start)).toEqual([at('lab61'), at('on lab61', 3)]);
  });
});

describe('navigation and outline', () => {
  it('goes from `on HOST` to the host, finds its references, and opens the facts file', async () => {
    const uri = sampleUri('hbm-lab.dax');
    const { at } = await openDoc(uri, read('hbm-lab.dax'));
    const def = await request<Location[]>('textDocument/definition', {
      textDocument: { uri },
      position: at('on lab61', 4),
    });
    expect(def).toEqual([{ uri, range: { start: at('lab61'), end: at('lab61', 5) } }]);
    const refs = await request<Location[]>('textDocument/references', {
      textDocument: { uri },
      position: at('lab61'),
      context: { includeDeclaration: false },
    });
    expect(refs.map((r) => r.range.start)).toEqual([at('on lab61', 3)]);
    const facts = await request<Location[]>('textDocument/definition', {
      textDocument: { uri },
      position: at('linux-6.1.facts', 2),
    });
    expect(facts[0]?.uri).toBe(sampleUri('linux-6.1.facts.json'));
  });

  it('outlines hosts and regions with their devices, folds blocks and comments, and colours tokens', async () => {
    const uri = sampleUri('hbm-lab.dax');
    const { at } = await openDoc(uri, read('hbm-lab.dax'));
    const symbols = await request<DocumentSymbol[]>('textDocument/documentSymbol', { textDocument: { uri } });
    expect(symbols.map((s) => s.name)).toEqual(['lab61', 'region 0 on lab61']);
    expect(symbols[1]?.children?.map((c) => `${c.name}: ${c.detail}`)).toEqual([
      'weather: dax0.0 · 1 GiB · devdax',
      'spill: dax0.1 · 512 MiB · system-ram',
      'guest-a: dax0.2 · 256 MiB · devdax',
      'scratch: dax0.3 · 256 MiB · devdax',
    ]);
    const folds = await request<FoldingRange[]>('textDocument/foldingRange', { textDocument: { uri } });
    expect(folds).toContainEqual({ startLine: 0, endLine: 2, kind: 'comment' });
    expect(folds).toContainEqual({ startLine: at('host lab61').line, endLine: at('host lab61').line + 3 });
    const tokens = await request<SemanticTokens>('textDocument/semanticTokens/full', { textDocument: { uri } });
    const legend = client!.initialize.capabilities.semanticTokensProvider!.legend.tokenTypes;
    const decoded: string[] = [];
    for (let k = 0, line = 0, ch = 0; k < tokens.data.length; k += 5) {
      const [dl, dc, len, type, mods] = tokens.data.slice(k, k + 5) as [number, number, number, number, number];
      line += dl;
      ch = dl === 0 ? ch + dc : dc;
      decoded.push(`${line}:${ch}+${len} ${legend[type]}${mods ? ' (declaration)' : ''}`);
    }
    const p = (needle: string, delta = 0) => `${at(needle, delta).line}:${at(needle, delta).character}`;
    expect(decoded[0]).toBe(`0:0+${read('hbm-lab.dax').split('\n')[0]!.length} comment`);
    expect(decoded).toContain(`${p('host lab61')}+4 keyword`);
    expect(decoded).toContain(`${p('lab61')}+5 namespace (declaration)`);
    expect(decoded).toContain(`${p('on lab61', 3)}+5 namespace`);
    expect(decoded).toContain(`${p('"root@')}+16 string`);
    expect(decoded).toContain(`${p('weather')}+7 variable (declaration)`);
    expect(decoded).toContain(`${p('1G align')}+2 number`);
    expect(decoded).toContain(`${p('system-ram movable')}+10 enumMember`);
  });

  it('gives no hint for a device in error (its prediction would be a guess)', async () => {
    const uri = sampleUri('hint-error.dax');
    const text =
      'host lab61 {\n  facts "linux-6.1.facts.json"\n}\n\nregion 0 on lab61 {\n  device good { size 2M }\n  device bad { size 3M }\n}\n';
    await openDoc(uri, text);
    const hints = await request<InlayHint[]>('textDocument/inlayHint', {
      textDocument: { uri },
      range: { start: { line: 0, character: 0 }, end: { line: 100, character: 0 } },
    });
    expect(hints.map((h) => [h.position.line, String(h.label).split(' @')[0]])).toEqual([[5, '→ dax0.0']]);
  });

  it('hints the kernel name and physical start after each device label', async () => {
    const uri = sampleUri('hbm-lab.dax');
    const { at } = await openDoc(uri, read('hbm-lab.dax'));
    const hints = await request<InlayHint[]>('textDocument/inlayHint', {
      textDocument: { uri },
      range: { start: { line: 0, character: 0 }, end: { line: 100, character: 0 } },
    });
    // at the end of the line, after any comment: aligned comments stay aligned
    const text = read('hbm-lab.dax');
    const endOfLine = (needle: string) => {
      const p = at(needle);
      return { line: p.line, character: (text.split('\n')[p.line] as string).length };
    };
    expect(hints.find((h) => h.label === '→ dax0.1 @ 0x140000000')?.position).toEqual(endOfLine('spill'));
    expect(hints.find((h) => h.label === 'rest = 256 MiB')?.position).toEqual(endOfLine('rest'));
  });
});

describe("code lenses and hosts (served from the analysis, for the editor's Plan / Apply)", () => {
  it('puts Plan, Plan against facts, Apply and Capture facts on a host with ssh and facts; a facts-only host plans simulated', async () => {
    const uri = sampleUri('lenses.dax');
    const text =
      'host real {\n  ssh "root@db1"\n  port 2222\n  facts "linux-6.1.facts.json"\n}\n\nhost lab {\n  facts "linux-6.1.facts.json"\n}\n\nhost rack {\n  hosts "rack1"\n  inventory "inventory.ini"\n}\n';
    await openDoc(uri, text);
    const lenses = await request<
      { range: { start: { line: number } }; command: { title: string; command: string; arguments: unknown[] } }[]
    >('textDocument/codeLens', { textDocument: { uri } });
    expect(lenses.map((l) => [l.range.start.line, l.command.title, l.command.command])).toEqual([
      [0, 'Plan', 'daxlayout.plan'],
      [0, 'Plan against facts', 'daxlayout.planAgainstFacts'],
      [0, 'Apply', 'daxlayout.apply'],
      [0, 'Capture facts', 'daxlayout.captureFacts'],
      [6, 'Plan (simulated)', 'daxlayout.plan'],
      [6, 'Apply (simulated)', 'daxlayout.apply'],
      [6, 'Capture facts', 'daxlayout.captureFacts'],
    ]);
    expect(lenses[1]?.command.arguments).toEqual([{ uri, host: 'real', target: 'facts' }]);
    const hosts = await request<
      {
        name: string;
        ssh?: string;
        port?: number;
        facts?: string;
        factsFile?: string;
        pattern?: string;
        line: number;
      }[]
    >('daxlayout/hosts', { uri });
    expect(hosts.map((h) => [h.name, h.line, h.ssh, h.port, h.facts, h.factsFile, h.pattern])).toEqual([
      ['real', 0, 'root@db1', 2222, 'linux-6.1.facts.json', resolve(SAMPLES, 'linux-6.1.facts.json'), undefined],
      ['lab', 6, undefined, undefined, 'linux-6.1.facts.json', resolve(SAMPLES, 'linux-6.1.facts.json'), undefined],
      ['rack', 10, undefined, undefined, undefined, undefined, 'rack1'],
    ]);
  });
});

describe('file paths', () => {
  it('completes `facts "…"` with the facts files and folders beside the layout, and `inventory "…"` with inventories', async () => {
    const uri = sampleUri('paths.dax');
    const text = 'host a {\n  facts "linux-6."\n}\nhost b {\n  inventory ""\n}\n';
    const { at } = await openDoc(uri, text);
    const facts = await request<CompletionList>('textDocument/completion', {
      textDocument: { uri },
      position: at('linux-6.', 8),
    });
    const labels = facts.items.map((i) => i.label);
    expect(labels).toEqual(
      expect.arrayContaining(['linux-6.1.facts.json', 'linux-6.12.facts.json', 'linux-6.1.daxctl.json']),
    );
    expect(labels.filter((l) => l.endsWith('.dax'))).toEqual([]);
    // the typed part is replaced (it starts after the quote)
    expect((facts.items[0]?.textEdit as TextEdit).range.start).toEqual(at('linux-6.'));
    const inv = await request<CompletionList>('textDocument/completion', {
      textDocument: { uri },
      position: at('""', 1),
    });
    expect(inv.items.every((i) => !i.label.endsWith('.json'))).toBe(true);
  });

  it('Ctrl+click on `inventory "…"` opens the inventory, as on `facts "…"`', async () => {
    const uri = sampleUri('nav.dax');
    const text = 'host rack {\n  hosts "all"\n  inventory "linux-6.1.facts.json"\n}\n';
    const { at } = await openDoc(uri, text);
    const loc = await request<Location[]>('textDocument/definition', {
      textDocument: { uri },
      position: at('linux-6.1', 3),
    });
    expect(loc.map((l) => l.uri)).toEqual([sampleUri('linux-6.1.facts.json')]);
  });
});
