// DAX004: a host, region, device label or device property declared twice.
import type { Finding } from '../analysis/finding';
import { defineRule } from './util';

/**
 * At most this many duplicates are reported one by one; the rest are counted in one more
 * finding. A generated or corrupted file can repeat a declaration hundreds of thousands of times
 * on one line: the list stays bounded, and is built in one pass.
 */
export const MAX_DUPLICATES = 1000;

export const dax004 = defineRule({
  code: 'DAX004',
  title: 'duplicate declaration',
  severity: 'error',
  check: (a, report) => {
    const out: Finding[] = [];
    let more = 0;
    let firstMore: Finding['span'] | undefined;
    for (const i of a.layout.issues) {
      if (i.kind !== 'duplicate') continue;
      if (out.length < MAX_DUPLICATES) {
        out.push(report(i.span, i.message, i.related ? { related: i.related } : {}));
        continue;
      }
      more++;
      firstMore ??= i.span;
    }
    if (firstMore) {
      out.push(
        report(
          firstMore,
          `${more} more duplicate declaration${more === 1 ? '' : 's'} from here on, not listed one by one (the first ${MAX_DUPLICATES} are): is this file generated?`,
        ),
      );
    }
    return out;
  },
});
