// The suite's entry point, loaded by the extension host (extensionTestsPath) both under
// code-server (test/e2e/run-code-server.mjs) and under desktop VS Code (test/electron/run.mjs).
import * as path from 'node:path';
import Mocha from 'mocha';
import { note } from './helpers';

// In run order: the restart test goes last.
const files = [
  'activation',
  'diagnostics',
  'hover',
  'completion',
  'quickfix',
  'plan-apply',
  'map',
  'tree',
  'first-hour',
  'restart',
];

export function run(): Promise<void> {
  Mocha.reporters.Base.consoleLog = note;
  const mocha = new Mocha({ ui: 'tdd', reporter: 'spec', color: false, timeout: 30_000, slow: 2_000 });
  for (const f of files) mocha.addFile(path.join(__dirname, `${f}.e2e.js`));
  return new Promise((resolve, reject) => {
    try {
      const runner = mocha.run((failures) => {
        // The launcher reads this line; it is also the closing line CI looks for.
        note(`e2e-summary: ${runner.stats?.passes ?? 0} passed, ${failures} failed`);
        if (failures > 0) reject(new Error(`${failures} e2e test(s) failed`));
        else resolve();
      });
    } catch (err) {
      reject(err);
    }
  });
}
