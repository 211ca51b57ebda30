// `daxlayout sim` scripts: lines `echo VALUE > PATH` exactly as a shell on the
// host would run them. Blank lines and `#` comments are allowed; anything else
// is a usage error naming the line — the model never guesses.

export interface ScriptWrite {
  /** 1-based line number in the script. */
  readonly line: number;
  readonly path: string;
  /** The bytes `echo` writes, trailing newline included unless `-n`. */
  readonly value: string;
  readonly text: string;
}

export type ScriptParse = { ok: true; writes: ScriptWrite[] } | { ok: false; line: number; message: string };

/** Splits shell words with '…' and "…" quoting and backslash escapes; undefined on constructs we do not accept. */
function shellWords(s: string): string[] | undefined {
  const words: string[] = [];
  let i = 0;
  while (i < s.length) {
    while (i < s.length && (s[i] === ' ' || s[i] === '\t')) i++;
    if (i >= s.length) break;
    let w = '';
    while (i < s.length && s[i] !== ' ' && s[i] !== '\t') {
      const c = s[i] as string;
      if (c === "'") {
        const j = s.indexOf("'", i + 1);
        if (j < 0) return undefined;
        w += s.slice(i + 1, j);
        i = j + 1;
      } else if (c === '"') {
        let j = i + 1;
        while (j < s.length && s[j] !== '"') {
          if (s[j] === '\\' && j + 1 < s.length && '"\\$`'.includes(s[j + 1] as string)) {
            w += s[j + 1];
            j += 2;
          } else if ('$`'.includes(s[j] as string)) return undefined;
          else w += s[j++];
        }
        if (j >= s.length) return undefined;
        i = j + 1;
      } else if (c === '\\') {
        if (i + 1 >= s.length) return undefined;
        w += s[i + 1];
        i += 2;
      } else if ('$`;|&<>()*?[]{}~'.includes(c)) {
        return undefined;
      } else {
        w += c;
        i++;
      }
    }
    words.push(w);
  }
  return words;
}

/** Drops a trailing `# comment` (a `#` that starts a word outside quotes), as the shell does. */
function stripComment(line: string): string {
  let quote: string | undefined;
  for (let i = 0; i < line.length; i++) {
    const c = line[i];
    if (quote) {
      if (c === quote) quote = undefined;
      else if (c === '\\' && quote === '"') i++;
    } else if (c === "'" || c === '"') quote = c;
    else if (c === '\\') i++;
    else if (c === '#' && (i === 0 || line[i - 1] === ' ' || line[i - 1] === '\t')) return line.slice(0, i);
  }
  return line;
}

export function parseScript(text: string): ScriptParse {
  const writes: ScriptWrite[] = [];
  const lines = text.split('\n');
  for (let n = 0; n < lines.length; n++) {
    const raw = (lines[n] as string).replace(/\r$/, '');
    const line = stripComment(raw).trim();
    if (line === '' || line.startsWith('#')) continue;
    const m = /^echo\s+(.*?)\s*>\s*(\S+)$/.exec(line) ?? /^echo\s*>\s*(\S+)$/.exec(line);
    if (!m) return { ok: false, line: n + 1, message: `line ${n + 1}: expected \`echo VALUE > PATH\`, found: ${line}` };
    // `echo 1 2>PATH`: digits glued to `>` are a file-descriptor number, not echo's output.
    if (/\s\d+>\s*\S+$/.test(line)) {
      return {
        ok: false,
        line: n + 1,
        message: `line ${n + 1}: \`N>\` redirects file descriptor N, not what echo writes; put a space before \`>\`: ${line}`,
      };
    }
    const hasValue = m.length === 3;
    const path = (hasValue ? m[2] : m[1]) as string;
    const words = shellWords(hasValue ? (m[1] as string) : '');
    if (!words)
      return {
        ok: false,
        line: n + 1,
        message: `line ${n + 1}: shell constructs other than plain words and quotes are not modelled: ${line}`,
      };
    const pathWords = shellWords(path);
    if (!pathWords || pathWords.length !== 1 || !(pathWords[0] as string).startsWith('/')) {
      return { ok: false, line: n + 1, message: `line ${n + 1}: the target must be an absolute sysfs path: ${line}` };
    }
    let noNewline = false;
    if (words[0] === '-n') {
      noNewline = true;
      words.shift();
    }
    writes.push({
      line: n + 1,
      path: pathWords[0] as string,
      value: words.join(' ') + (noNewline ? '' : '\n'),
      text: line,
    });
  }
  return { ok: true, writes };
}
