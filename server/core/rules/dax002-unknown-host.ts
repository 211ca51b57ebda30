// DAX002: a region placed `on` a host that the file does not declare.

import { closest } from '../../../grammar/src/suggest';
import { defineRule } from './util';

export const dax002 = defineRule({
  code: 'DAX002',
  title: 'unknown host',
  severity: 'error',
  check(a, report) {
    const names = a.layout.hosts.map((h) => h.name);
    const out = [];
    for (const r of a.layout.regions) {
      const h = r.hostName;
      if (!h || names.includes(h.value)) continue;
      const near = closest(h.value, names);
      const msg = near
        ? `no host \`${h.value}\` is declared in this file; did you mean \`${near}\`?`
        : `no host \`${h.value}\` is declared in this file; add \`host ${h.value} { ssh "…" facts "…" }\``;
      out.push(
        report(
          h.span,
          msg,
          near ? { fixes: [{ title: `Change to \`${near}\``, edits: [{ span: h.span, newText: near }] }] } : {},
        ),
      );
    }
    return out;
  },
});
