// Every rule, in the order they run. DAX051 runs after the others: it reports only what no other
// rule explained; DAX095 (ignore comments) runs last, as it reads every other finding.
import { dax001 } from './dax001-syntax';
import { dax002 } from './dax002-unknown-host';
import { dax003 } from './dax003-unknown-region';
import { dax004 } from './dax004-duplicate';
import { dax005 } from './dax005-facts';
import { dax006 } from './dax006-invalid-value';
import { dax007 } from './dax007-assumptions';
import { dax008 } from './dax008-range-shape';
import { dax009 } from './dax009-region-geometry';
import { dax010 } from './dax010-size-granule';
import { dax011 } from './dax011-align-allowed';
import { dax012 } from './dax012-range-alignment';
import { dax013 } from './dax013-size-conflict';
import { dax020 } from './dax020-over-commit';
import { dax021 } from './dax021-range-outside';
import { dax022 } from './dax022-range-overlap';
import { dax023 } from './dax023-huge-align-holes';
import { dax030 } from './dax030-kmem-no-block';
import { dax031 } from './dax031-kmem-partial-blocks';
import { dax032 } from './dax032-kmem-no-node';
import { dax033 } from './dax033-memmap-on-memory';
import { dax034 } from './dax034-auto-online';
import { dax035 } from './dax035-kmem-state';
import { dax040 } from './dax040-static-region';
import { dax041 } from './dax041-kernel-name';
import { dax042 } from './dax042-device-zero';
import { dax043 } from './dax043-kmem-default';
import { dax050 } from './dax050-unlisted-device';
import { dax052 } from './dax052-online-memory';
import { dax060 } from './dax060-persist-no-effect';
import { dax061 } from './dax061-stable-name-clash';
import { dax062 } from './dax062-persist-boot-online';
import { dax070 } from './dax070-colour-cache';
import { dax071 } from './dax071-colour-shared';
import { dax072 } from './dax072-colour-granule';
import { dax073 } from './dax073-colour-size';
import { dax074 } from './dax074-colour-unavailable';
import { dax080 } from './dax080-expect-missed';
import { dax081 } from './dax081-expect-unchecked';
import { dax090 } from './dax090-device-access';
import { dax051 } from './dax051-kernel-refuses';
import { dax098 } from './dax098-budget';
import { dax100 } from './dax100-cxl-unresolved';
import { dax101 } from './dax101-cxl-window-ram';
import { dax102 } from './dax102-cxl-interleave';
import { dax103 } from './dax103-cxl-size-unit';
import { dax104 } from './dax104-cxl-capacity';
import { dax105 } from './dax105-cxl-memdev-used';
import { dax106 } from './dax106-cxl-position';
import { dax108 } from './dax108-cxl-qos-class';
import { dax095 } from './dax095-suppression';
import type { Rule } from './util';

export const RULES: readonly Rule[] = [
  dax001,
  dax002,
  dax003,
  dax004,
  dax005,
  dax006,
  dax007,
  dax008,
  dax009,
  dax010,
  dax011,
  dax012,
  dax013,
  dax020,
  dax021,
  dax022,
  dax023,
  dax030,
  dax031,
  dax032,
  dax033,
  dax034,
  dax035,
  dax040,
  dax041,
  dax042,
  dax043,
  dax050,
  dax052,
  dax060,
  dax061,
  dax062,
  dax070,
  dax071,
  dax072,
  dax073,
  dax074,
  dax080,
  dax081,
  dax090,
  dax100,
  dax101,
  dax102,
  dax103,
  dax104,
  dax105,
  dax106,
  dax108,
  dax098,
  dax051,
  // last: it reads every other rule's findings
  dax095,
];

/** Codes that have no rule object but are documented: DAX099 (a rule crashed). */
export const EXTRA_CODES = ['DAX099'] as const;
