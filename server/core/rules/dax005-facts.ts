// DAX005: a facts file that is missing, unreadable or invalid, or that the kernel model cannot start from.
import type { Rule } from './util';
import { finding } from './util';

export const dax005: Rule = {
  code: 'DAX005',
  title: 'facts file problem',
  check(a) {
    const out = [];
    for (const h of a.hosts) {
      const span = h.decl?.facts?.span ?? h.decl?.nameSpan;
      if (!span) continue;
      const file = h.decl?.facts?.value ?? '';
      for (const p of h.factsProblems) {
        if (p.severity === 'info') continue;
        out.push(finding('DAX005', p.severity, span, `facts "${file}"${p.path ? ` at ${p.path}` : ''}: ${p.message}`));
      }
      if (h.modelError) out.push(finding('DAX005', 'error', span, `facts "${file}": ${h.modelError}`));
    }
    return out;
  },
};
