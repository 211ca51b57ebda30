// "DAX: Capture Host Facts": `daxlayout facts DEST -o FILE` into the host's facts file (asking
// before it replaces one), or a file the user picks when the host names none.
import { copyFileSync, existsSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { PlanContext } from './plan-command';
import { describeExit, lastLine, relativeName, type Resolved } from './targets';

export interface CaptureOutcome {
  readonly ok: boolean;
  readonly message: string;
  readonly file?: string;
}

export async function capture(
  ctx: PlanContext,
  r: Resolved,
  o: { destination: string | undefined; yes: boolean },
): Promise<CaptureOutcome> {
  const h = r.host;
  let destination = o.destination ?? h.ssh;
  if (!destination) {
    destination = await vscode.window.showInputBox({
      title: `Capture facts of ${h.name}`,
      prompt: `${h.name} has no \`ssh "…"\` line: the SSH destination to capture from ([user@]host or a ~/.ssh/config alias)`,
      placeHolder: 'root@host',
      ignoreFocusOut: true,
      validateInput: (v) =>
        /^[^\s-][^\s]*$/.test(v.trim())
          ? undefined
          : 'an SSH destination: [user@]host, without spaces, not starting with -',
    });
    if (!destination) return { ok: false, message: 'Capture cancelled.' };
    destination = destination.trim();
  }
  const port = h.ssh === destination ? h.port : undefined;
  let file: string;
  if (h.facts) file = h.factsFile ?? path.resolve(path.dirname(r.doc.uri.fsPath), h.facts);
  else {
    const picked = await vscode.window.showSaveDialog({
      title: `Where to save ${h.name}'s facts (then name it in the host block: facts "…")`,
      defaultUri: vscode.Uri.file(path.join(path.dirname(r.doc.uri.fsPath), `${h.name}.facts.json`)),
      filters: { 'Facts (JSON)': ['json'] },
    });
    if (!picked) return { ok: false, message: 'Capture cancelled.' };
    file = picked.fsPath;
  }
  const shortName = relativeName(r.doc, file);
  const from = `${destination}${port ? ` port ${port}` : ''}`;
  if (existsSync(file) && !o.yes) {
    const mtime = statSync(file).mtime;
    const choice = await vscode.window.showWarningMessage(
      `Overwrite ${shortName}?`,
      {
        modal: true,
        detail: `It will be replaced by the facts captured now from ${from} (read-only on the host: one SSH round trip). It was last written ${mtime.toLocaleString()}. The language server re-checks the layouts that use it.`,
      },
      'Overwrite',
    );
    if (choice !== 'Overwrite') return { ok: false, message: 'Capture cancelled; the facts file was not changed.' };
  }
  const scratch = mkdtempSync(path.join(tmpdir(), 'daxlayout-facts-'));
  const tmp = path.join(scratch, 'facts.json');
  try {
    const dest = destination;
    const res = await vscode.window.withProgress(
      { location: vscode.ProgressLocation.Notification, title: `DAX: capturing facts of ${h.name}`, cancellable: true },
      async (progress, token) => {
        progress.report({ message: `from ${from} (read-only)…` });
        return ctx.cli.run(['facts', dest, ...(port ? ['--port', String(port)] : []), '-o', tmp], {
          cwd: path.dirname(r.doc.uri.fsPath),
          token,
          killAfterMs: 5000,
        });
      },
    );
    ctx.logStderr(res);
    if (res.cancelled) return { ok: false, message: `Capture from ${from} cancelled; ${shortName} was not changed.` };
    if (res.code !== 0 || !existsSync(tmp)) {
      const message = `Capturing facts of ${h.name} from ${from} ${res.code === 3 ? 'was refused' : 'failed'}: ${lastLine(res.stderr) || describeExit(res)}`;
      ctx.offer(res.code === 3 ? 'warning' : 'error', message, ['Show Output']);
      return { ok: false, message };
    }
    copyFileSync(tmp, file);
    const warnings = res.stderr.split('\n').filter((l) => /warning|could not be read/.test(l)).length;
    const message = `Captured the facts of ${h.name} from ${from} into ${shortName}${warnings ? ` (${warnings} warning(s): see the output)` : ''}.${h.facts ? '' : ` Name it in the host block: facts "${shortName}"`}`;
    ctx.output.info(message);
    void vscode.window.showInformationMessage(message, 'Open').then((c) => {
      if (c === 'Open') void vscode.window.showTextDocument(vscode.Uri.file(file), { preview: true });
    });
    return { ok: true, message, file };
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
}
