import { defineRule } from './util';
// DAX005: a facts file that is missing, unreadable or invalid, or that the kernel model cannot start from.

export const dax005 = defineRule({
  code: 'DAX005',
  title: 'facts file problem',
  severity: 'error',
  check(a, report) {
    const out = [];
    for (const h of a.hosts) {
      const span = h.decl?.facts?.span ?? h.decl?.nameSpan;
      if (!span) continue;
      const file = h.decl?.facts?.value ?? '';
      const host = h.name;
      const inLanguage = (m: string) =>
        m
          .replace(
            /pass --kernel RELEASE(?: \(a `uname -r` string\))?/g,
            `declare \`kernel "RELEASE"\` (\`uname -r\` of the host) in host ${host}`,
          )
          .replace(/pass --kernel/g, `declare \`kernel "…"\` in host ${host}`)
          .replace(/--region-start (\d+)=ADDR/g, 'declare `start ADDR` in region $1')
          .replace(/--region-start ID=ADDR/g, 'declare `start ADDR` in the region')
          .replace(/--block-size/g, '`memory-block`')
          .replace(/--auto-online/g, '`auto-online`')
          .replace(/--arch/g, '`arch`')
          .replace(/--kernel\b/g, 'the declared `kernel`')
          .replace(/--region-start (\d+)=/g, 'the declared `start` of region $1, ');
      const problems = h.factsProblems.filter((p) => p.severity !== 'info');
      for (const p of problems) {
        out.push(
          report(span, `facts "${file}"${p.path ? ` at ${p.path}` : ''}: ${inLanguage(p.message)}`, {}, p.severity),
        );
      }
      // The model's own complaint repeats the reader's when the reader already found an error.
      if (h.modelError && !problems.some((p) => p.severity === 'error')) {
        out.push(report(span, `facts "${file}": ${inLanguage(h.modelError)}`));
      }
    }
    return out;
  },
});
