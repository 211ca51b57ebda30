/// <reference types="mocha" />
// The region map (DAX: Show Region Map): a webview beside the layout that draws the server's
// SVG, highlights the device under the cursor and follows edits. What the webview drew is read
// back through `daxlayout.map.state` (the webview reports each drawing); the click that jumps
// to a declaration is a person's action, checked by the UI part (test/e2e/ui-map.mjs).
import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import { activated, closeAll, openDax, positionOf, shot, until } from './helpers';

interface MapState {
  open: boolean;
  version?: number;
  titles: string[];
  rendered?: {
    version: number;
    regions: { key: string; devices: string[] }[];
    active: { region: string; device: string } | null;
    highlighted: number;
    theme?: string;
    colours?: { background: string; text: string; bandText: string };
  };
}

/** Relative luminance (0 black … 1 white) of a computed colour `rgb(r, g, b)`. */
function luminance(colour: string | undefined): number {
  const m = /rgba?\((\d+),\s*(\d+),\s*(\d+)/.exec(colour ?? '');
  assert.ok(m, `a computed colour, not ${colour}`);
  const [r, g, b] = [m[1], m[2], m[3]].map((v) => {
    const c = Number(v) / 255;
    return c <= 0.03928 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4;
  }) as [number, number, number];
  return 0.2126 * r + 0.7152 * g + 0.0722 * b;
}

const state = () => vscode.commands.executeCommand<MapState>('daxlayout.map.state');

suite('region map', () => {
  suiteSetup(activated);
  suiteTeardown(closeAll);

  test('opens beside the layout and draws each region with its devices', async () => {
    const doc = await openDax('e2e-map.dax');
    await vscode.commands.executeCommand('daxlayout.showMap');
    const s = await until(
      state,
      (x) => x.rendered?.version === doc.version && (x.rendered?.regions.length ?? 0) > 0,
      'the map to draw',
    );
    assert.deepEqual(s.titles, ['region 0 on lab']);
    assert.deepEqual(s.rendered?.regions, [{ key: 'lab/0', devices: ['dax0.0', 'dax0.1', 'dax0.2', 'dax0.3'] }]);
    // the map opened beside the layout, which keeps the focus
    assert.equal(vscode.window.activeTextEditor?.document, doc);
  });

  test('highlights the device under the cursor', async () => {
    const doc = await openDax('e2e-map.dax');
    const editor = vscode.window.activeTextEditor as vscode.TextEditor;
    const at = positionOf(doc, 'mode system-ram');
    editor.selection = new vscode.Selection(at, at);
    const s = await until(state, (x) => x.rendered?.active?.device === 'dax0.1', 'spill (dax0.1) to be highlighted');
    assert.deepEqual(s.rendered?.active, { region: 'lab/0', device: 'dax0.1' });
    // its band and its row in the table
    assert.equal(s.rendered?.highlighted, 2);
    const out = positionOf(doc, 'size 2G');
    editor.selection = new vscode.Selection(out, out);
    await until(state, (x) => x.rendered?.active === null, 'no device highlighted outside the devices');
  });

  test('follows an edit: a new device is drawn without saving', async () => {
    const doc = await openDax('e2e-map.dax');
    const editor = vscode.window.activeTextEditor as vscode.TextEditor;
    const at = positionOf(doc, '  device scratch');
    assert.ok(await editor.edit((e) => e.insert(at, '  device cache { size 128M }\n')));
    const s = await until(
      state,
      (x) => x.rendered?.version === doc.version && (x.rendered?.regions[0]?.devices.length ?? 0) === 5,
      'the map to draw the new device',
    );
    assert.deepEqual(s.rendered?.regions[0]?.devices, ['dax0.0', 'dax0.1', 'dax0.2', 'dax0.3', 'dax0.4']);
    assert.equal(doc.isDirty, true);
  });

  test('takes the colours of a dark theme, and the light ones back', async () => {
    await closeAll(); // the layout as it is on disk (the test before edited it)
    const doc = await openDax('e2e-map.dax');
    await vscode.commands.executeCommand('daxlayout.showMap');
    const settings = vscode.workspace.getConfiguration('workbench');
    const before = settings.inspect<string>('colorTheme')?.globalValue;
    try {
      await settings.update('colorTheme', 'Default Dark Modern', vscode.ConfigurationTarget.Global);
      const dark = await until(
        state,
        (x) => x.rendered?.theme === 'vscode-dark' && x.rendered.version === doc.version,
        'the map to be drawn in the dark theme',
      );
      const c = dark.rendered?.colours;
      assert.ok(luminance(c?.background) < 0.1, `a dark background, not ${c?.background}`);
      assert.ok(luminance(c?.text) > 0.5, `light text on it, not ${c?.text}`);
      // the labels on the (light) device bands stay dark
      assert.ok(luminance(c?.bandText) < 0.1, `dark ink on the bands, not ${c?.bandText}`);
      await shot('map-dark-theme');
      await settings.update('colorTheme', 'Default Light Modern', vscode.ConfigurationTarget.Global);
      const light = await until(state, (x) => x.rendered?.theme === 'vscode-light', 'the map in the light theme');
      assert.ok(luminance(light.rendered?.colours?.background) > 0.8, 'a light background again');
      assert.ok(luminance(light.rendered?.colours?.text) < 0.1, 'dark text again');
    } finally {
      await settings.update('colorTheme', before, vscode.ConfigurationTarget.Global);
    }
  });
});
