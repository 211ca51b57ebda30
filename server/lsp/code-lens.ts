// textDocument/codeLens and `daxlayout/hosts`: the host blocks of the current text (a parse,
// never an analysis), with what the editor's Plan / Apply / Capture commands need from them.
// Plan and Apply go over SSH for a host with `ssh "…"`, against its facts file otherwise; a host
// with both also gets "Plan against facts" (nothing touches a machine).

import type { CodeLens, CodeLensParams } from 'vscode-languageserver/node';
import { COMMANDS, type HostInfo, type HostsParams, type LensArgs } from './protocol';
import type { Session } from './session';

export function hostsOf(session: Session, uri: string): HostInfo[] {
  const s = session.syntax(uri);
  if (!s) return [];
  return s.analysis.layout.hosts.map((h): HostInfo => {
    const factsFile = h.facts ? session.factsFile(uri, h.facts.value) : undefined;
    return {
      name: h.name,
      start: h.decl.span.start,
      end: h.decl.span.end,
      line: s.doc.positionAt(h.decl.span.start).line,
      ...(h.ssh ? { ssh: h.ssh.value } : {}),
      ...(h.port ? { port: h.port.value } : {}),
      ...(h.facts ? { facts: h.facts.value } : {}),
      ...(factsFile ? { factsFile } : {}),
      ...(h.pattern ? { pattern: h.pattern.value } : {}),
    };
  });
}

export function hosts(session: Session, params: HostsParams): HostInfo[] {
  return hostsOf(session, params.uri);
}

export function codeLenses(session: Session, params: CodeLensParams): CodeLens[] {
  const uri = params.textDocument.uri;
  const out: CodeLens[] = [];
  for (const h of hostsOf(session, uri)) {
    if (h.pattern) continue; // a fleet block: `daxlayout plan -i INVENTORY` in a terminal (docs/fleet.md)
    const range = { start: { line: h.line, character: 0 }, end: { line: h.line, character: 0 } };
    const args: LensArgs = { uri, host: h.name };
    const where = h.ssh
      ? `over SSH (${h.ssh}${h.port ? ` port ${h.port}` : ''})`
      : h.facts
        ? `against a simulation of ${h.facts}: nothing touches a machine`
        : 'nowhere yet: the host has no ssh or facts';
    const lens = (title: string, command: string, tooltip: string, a: LensArgs = args) =>
      out.push({ range, command: { title, command, tooltip, arguments: [a] } });
    lens(
      h.ssh || !h.facts ? 'Plan' : 'Plan (simulated)',
      COMMANDS.plan,
      `Show the sysfs writes an apply to ${h.name} would perform, ${where}`,
    );
    if (h.ssh && h.facts)
      lens(
        'Plan against facts',
        COMMANDS.planFacts,
        `Plan ${h.name} against its facts file ${h.facts}, simulated: nothing touches a machine`,
        { ...args, target: 'facts' },
      );
    lens(
      h.ssh || !h.facts ? 'Apply' : 'Apply (simulated)',
      COMMANDS.apply,
      `Plan, confirm, then apply the layout to ${h.name}, ${where}${h.ssh ? '' : '; the facts file is not changed'}`,
    );
    lens(
      'Capture facts',
      COMMANDS.captureFacts,
      `Capture ${h.name}'s facts over SSH (read-only)${h.facts ? ` into ${h.facts}` : ''}`,
    );
  }
  return out;
}
