// The UI part for the region map and the layout tree (run by run-code-server.mjs after the
// main UI check): what a person does with them, in the real workbench.
//
//   1. open hbm-lab.dax from the explorer, click the editor title's "Show Region Map" button;
//   2. click in the editor on `device spill`: the map highlights spill's band (dax0.1);
//   3. click scratch's band in the map: the editor selects `scratch` (status bar line);
//   4. screenshot of the editor with the map, side bar hidden (out/map.png, and
//      --map-screenshot PATH);
//   5. open the explorer's "DAX Layout" view, check guest-a's row, click it: the editor
//      selects `guest-a` and the map highlights it; screenshot (out/tree.png).
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

/** The 1-based line of the first line of `text` holding `needle`. */
function lineOf(text, needle) {
  const i = text.split('\n').findIndex((l) => l.includes(needle));
  if (i < 0) throw new Error(`no line holds ${needle}`);
  return i + 1;
}

async function selectedLine(page) {
  const item = page.locator('[id="status.editor.selection"]').first();
  const text = await item.innerText();
  const m = /Ln (\d+)/.exec(text);
  return m ? Number(m[1]) : undefined;
}

async function waitForLine(page, line, what) {
  const deadline = Date.now() + 20_000;
  let seen;
  while (Date.now() < deadline) {
    seen = await selectedLine(page).catch(() => undefined);
    if (seen === line) return;
    await page.waitForTimeout(100);
  }
  throw new Error(`${what}: the editor's cursor is on line ${seen}, not ${line}`);
}

export async function mapUi({ page, folder, log, shots }) {
  const t0 = Date.now();
  const text = readFileSync(join(folder, 'hbm-lab.dax'), 'utf8');
  await page.setViewportSize({ width: 1600, height: 900 });
  const row = page.locator('.explorer-folders-view .monaco-list-row[aria-label^="hbm-lab.dax"], .explorer-folders-view .monaco-list-row:has-text("hbm-lab.dax")').first();
  await row.waitFor({ state: 'visible', timeout: 60_000 });
  await row.click();
  await page.locator('.tabs-container .tab:has-text("hbm-lab.dax")').first().waitFor({ timeout: 30_000 });

  // 1. the editor title button
  const button = page.locator('.editor-actions .action-label[aria-label*="Show Region Map"]').first();
  await button.waitFor({ state: 'visible', timeout: 60_000 });
  await button.click();
  const map = page.frameLocator('iframe.webview.ready').frameLocator('iframe#active-frame');
  await map.locator('section svg').first().waitFor({ state: 'visible', timeout: 60_000 });
  log(`UI map: the map shows ${await map.locator('section').count()} region(s)`);

  // 2. the cursor on `device spill` highlights dax0.1
  await page.locator('.monaco-editor .view-line:has-text("device spill")').first().click();
  await map.locator('section.has-active g.dev.active[data-device="dax0.1"]').first().waitFor({ state: 'attached', timeout: 20_000 });
  log('UI map: the cursor on `device spill` highlights dax0.1');

  // 3. a click on scratch's band selects its declaration
  await map.locator('g.dev[data-device="dax0.3"]:not(.row)').first().click();
  const scratchLine = lineOf(text, 'device scratch');
  await waitForLine(page, scratchLine, 'a click on scratch in the map');
  log(`UI map: a click on scratch's band selects line ${scratchLine}`);
  await map.locator('g.dev.active[data-device="dax0.3"]').first().waitFor({ state: 'attached', timeout: 20_000 });

  // 4. the picture of the editor with the map, the side bar hidden (Ctrl+B) to give them room
  await page.locator('.monaco-editor .view-line:has-text("device scratch")').first().click();
  const sidebar = page.locator('.part.sidebar').first();
  await page.keyboard.press('Control+B');
  await sidebar.waitFor({ state: 'hidden', timeout: 10_000 });
  await map.locator('g.dev.active[data-device="dax0.3"]').first().waitFor({ state: 'attached', timeout: 20_000 });
  await page.mouse.move(5, 895);
  for (const path of shots.map) await page.screenshot({ path, animations: 'disabled' });
  log(`UI map: screenshot ${shots.map.join(', ')}`);
  await page.keyboard.press('Control+B');
  await sidebar.waitFor({ state: 'visible', timeout: 10_000 });

  // 5. the explorer's tree: guest-a's row, clicked (the file list folded away to give it room)
  const files = page.locator('.pane-header[aria-label^="Explorer Section"]').first();
  if ((await files.getAttribute('aria-expanded').catch(() => null)) === 'true') await files.click();
  const pane = page.locator('.pane', { has: page.locator('.pane-header:has-text("DAX Layout")') }).first();
  const header = pane.locator('.pane-header').first();
  await header.waitFor({ state: 'visible', timeout: 30_000 });
  if ((await header.getAttribute('aria-expanded')) !== 'true') await header.click();
  const guest = pane.locator('.monaco-list-row:has-text("guest-a")').first();
  await guest.waitFor({ state: 'visible', timeout: 30_000 });
  const rowText = (await guest.innerText()).replace(/\s+/g, ' ');
  if (!/dax0\.2/.test(rowText) || !/create|resize|unchanged|rebind|change/.test(rowText)) throw new Error(`guest-a's row shows "${rowText}": no kernel name or change`);
  log(`UI tree: guest-a's row shows "${rowText}"`);
  await guest.click();
  const guestLine = lineOf(text, 'device guest-a');
  await waitForLine(page, guestLine, 'a click on guest-a in the tree');
  log(`UI tree: a click on guest-a's row selects line ${guestLine}`);
  // the map follows the cursor the tree moved
  await map.locator('g.dev.active[data-device="dax0.2"]').first().waitFor({ state: 'attached', timeout: 20_000 });
  await page.mouse.move(5, 895);
  for (const path of shots.tree) await page.screenshot({ path, animations: 'disabled' });
  log(`UI tree: screenshot ${shots.tree.join(', ')} (${((Date.now() - t0) / 1000).toFixed(1)} s)`);
}
