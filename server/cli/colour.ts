// Colour in a terminal for check, plan, apply and explain: `--color=auto|always|never` (any
// command; default auto: when stdout is a terminal), and NO_COLOR (https://no-color.org: set and
// not empty, no colour unless --color=always asks). Machine output (--json, --events) is never
// coloured. The commands print plain text; the lines are coloured on their way out.
import { UsageError } from './io';

export type ColourMode = 'auto' | 'always' | 'never';

/** Takes `--color[=WHEN]` / `--colour[=WHEN]` / `--no-color` out of the arguments. */
export function colourFlag(args: readonly string[]): { mode: ColourMode; rest: string[] } {
  let mode: ColourMode = 'auto';
  const rest: string[] = [];
  for (let i = 0; i < args.length; i++) {
    const a = args[i] as string;
    if (a === '--') {
      rest.push(...args.slice(i));
      break;
    }
    const m = /^--colou?r(?:=(.*))?$/.exec(a);
    if (a === '--no-color' || a === '--no-colour') mode = 'never';
    else if (m) {
      const v =
        m[1] ??
        (args[i + 1] !== undefined && /^(auto|always|never)$/.test(args[i + 1] as string)
          ? (args[++i] as string)
          : 'always');
      if (v !== 'auto' && v !== 'always' && v !== 'never')
        throw new UsageError(`--color takes auto, always or never, got \`${v}\``);
      mode = v;
    } else rest.push(a);
  }
  return { mode, rest };
}

export function wantColour(
  mode: ColourMode,
  env: Readonly<Record<string, string | undefined>>,
  stdoutIsTTY: boolean,
  args: readonly string[],
): boolean {
  if (args.includes('--json') || args.includes('--events') || args.includes('--svg')) return false;
  if (mode === 'always') return true;
  if (mode === 'never') return false;
  if (env.NO_COLOR !== undefined && env.NO_COLOR !== '') return false;
  return stdoutIsTTY && env.TERM !== 'dumb';
}

const SGR = {
  red: '31',
  green: '32',
  yellow: '33',
  blue: '34',
  magenta: '35',
  cyan: '36',
  bold: '1',
  dim: '2',
} as const;
const paint = (c: keyof typeof SGR, s: string): string => `\x1b[${SGR[c]}m${s}\x1b[0m`;

/** One line of check/plan/apply/explain output, coloured. */
export function colourLine(line: string): string {
  let m: RegExpExecArray | null;
  // file:line:col: severity: message [DAXnnn]
  if ((m = /^(.*?:\d+:\d+: )(error|warning|info|note)(: .*?)( \[DAX\d{3}\])?$/.exec(line))) {
    const c = m[2] === 'error' ? 'red' : m[2] === 'warning' ? 'yellow' : m[2] === 'info' ? 'blue' : 'cyan';
    return `${paint('bold', m[1] as string)}${paint(c, m[2] as string)}${m[3]}${m[4] ? paint('dim', m[4]) : ''}`;
  }
  if (/^\s+\+ create a device {3}~ change one {3}- destroy one$/.test(line)) {
    return line
      .replace('+ create a device', paint('green', '+ create a device'))
      .replace('~ change one', paint('yellow', '~ change one'))
      .replace('- destroy one', paint('red', '- destroy one'));
  }
  if ((m = /^(\s+)([+~-]) (.*)$/.exec(line))) {
    const c = m[2] === '+' ? 'green' : m[2] === '~' ? 'yellow' : 'red';
    return `${m[1]}${paint(c, `${m[2]} ${m[3]}`)}`;
  }
  if ((m = /^(\s+)(ok  |FAIL)(.*)$/.exec(line)))
    return `${m[1]}${paint(m[2] === 'FAIL' ? 'red' : 'green', m[2] as string)}${m[3]}`;
  if (/# the kernel would refuse/.test(line))
    return line.replace(/(# the kernel would refuse.*)$/, (x) => paint('red', x));
  if (/^(Plan:|No changes\.|Apply complete|== )/.test(line)) return paint('bold', line);
  if (/^\d+ files? checked: /.test(line))
    return line
      .replace(/(\d+ errors?)/, (x) => (x.startsWith('0 ') ? x : paint('red', x)))
      .replace(/(\d+ warnings?)/, (x) => (x.startsWith('0 ') ? x : paint('yellow', x)));
  if (/^(The plan has errors|daxlayout: )/.test(line)) return paint('red', line);
  return line;
}

/** Colours every line of a chunk of output (chunks are whole lines). */
export function colourText(s: string): string {
  return s
    .split('\n')
    .map((l) => (l === '' ? l : colourLine(l)))
    .join('\n');
}
