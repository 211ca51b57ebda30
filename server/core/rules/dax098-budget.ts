import { defineRule } from './util';
// DAX098: the kernel model's work budget ran out; the rest of the host's plan is not checked.

export const dax098 = defineRule({
  code: 'DAX098',
  title: 'analysis stopped short',
  severity: 'warning',
  check(a, report) {
    const out = [];
    for (const h of a.hosts) {
      const stop = h.plan?.stoppedShort;
      const span = h.decl?.nameSpan ?? h.regions[0]?.layout.decl.span;
      if (!stop || !span) continue;
      out.push(
        report(
          span,
          `the analysis of ${h.name} stopped short: the kernel model spent its budget of ${stop.budget.toLocaleString('en-US')} units of work after ${stop.steps} plan step(s); the devices planned after that are not checked, and nothing said about them is a prediction. Split the host's regions or devices over more layouts, or report the layout if it is an ordinary one`,
        ),
      );
    }
    return out;
  },
});
