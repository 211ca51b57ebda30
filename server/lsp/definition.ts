// textDocument/definition: `on HOST` → `host HOST`; `facts "…"` and `inventory "…"` → the file.

import type { DefinitionParams, Location } from 'vscode-languageserver/node';
import { pathToFileURL } from 'node:url';
import { definitionAt, filePathAt } from '../core/index';
import { toRange } from './convert';
import type { Session } from './session';

export function definition(session: Session, params: DefinitionParams): Location[] {
  const s = session.syntax(params.textDocument.uri);
  if (!s) return [];
  const offset = s.doc.offsetAt(params.position);
  const facts = filePathAt(s.analysis, offset);
  if (facts) {
    const file = session.factsFile(s.doc.uri, facts.path);
    return file
      ? [
          {
            uri: pathToFileURL(file).toString(),
            range: { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } },
          },
        ]
      : [];
  }
  return definitionAt(s.analysis, offset).map((span) => ({ uri: s.doc.uri, range: toRange(s.doc, span) }));
}
