// Where the `host NAME { … }` blocks of a .dax document are, and the three properties the
// editor's commands need from them (`ssh`, `port`, `facts`). A lexical scan — comments,
// strings, braces and words — and nothing more: what the layout means is the language
// server's and the CLI's business, and the CLI re-reads the file itself.

export interface HostBlock {
  readonly name: string;
  /** Offset of the `host` keyword, and of the end of the block (its `}`, or the text's end). */
  readonly start: number;
  readonly end: number;
  readonly ssh?: string;
  readonly port?: number;
  readonly facts?: string;
}

interface Token {
  readonly kind: 'word' | 'string' | '{' | '}' | 'other';
  readonly text: string;
  readonly start: number;
  readonly end: number;
}

function* tokens(text: string): Generator<Token> {
  let i = 0;
  const n = text.length;
  while (i < n) {
    const c = text[i] as string;
    if (c === '#') {
      while (i < n && text[i] !== '\n') i++;
      continue;
    }
    if (/\s/.test(c)) {
      i++;
      continue;
    }
    const start = i;
    if (c === '"') {
      // `\"` and `\\` are escapes; any other backslash stays; a string ends at the line's end
      let value = '';
      i++;
      while (i < n && text[i] !== '"' && text[i] !== '\n') {
        if (text[i] === '\\' && (text[i + 1] === '"' || text[i + 1] === '\\')) {
          value += text[i + 1];
          i += 2;
        } else value += text[i++];
      }
      if (text[i] === '"') i++;
      yield { kind: 'string', text: value, start, end: i };
      continue;
    }
    if (c === '{' || c === '}') {
      i++;
      yield { kind: c, text: c, start, end: i };
      continue;
    }
    if (/[A-Za-z0-9_]/.test(c)) {
      while (i < n && /[A-Za-z0-9_.\-]/.test(text[i] as string)) i++;
      yield { kind: 'word', text: text.slice(start, i), start, end: i };
      continue;
    }
    i++;
    yield { kind: 'other', text: c, start, end: i };
  }
}

/** The host blocks of a document, in order. Incomplete text yields what can be read. */
export function findHosts(text: string): HostBlock[] {
  const all = [...tokens(text)];
  const hosts: HostBlock[] = [];
  let depth = 0;
  for (let i = 0; i < all.length; i++) {
    const t = all[i] as Token;
    if (t.kind === '{') depth++;
    else if (t.kind === '}') depth = Math.max(0, depth - 1);
    if (depth !== 0 || t.kind !== 'word' || t.text !== 'host') continue;
    const name = all[i + 1];
    const open = all[i + 2];
    if (!name || name.kind !== 'word' || !open || open.kind !== '{') continue;
    let ssh: string | undefined;
    let port: number | undefined;
    let facts: string | undefined;
    let j = i + 3;
    let end = text.length;
    let inner = 0;
    for (; j < all.length; j++) {
      const u = all[j] as Token;
      if (u.kind === '{') inner++;
      else if (u.kind === '}') {
        if (inner === 0) {
          end = u.end;
          break;
        }
        inner--;
      } else if (u.kind === 'word' && inner === 0) {
        // a top-level keyword means the block was never closed
        if ((u.text === 'host' || u.text === 'region') && all[j + 1]?.kind === 'word') {
          end = u.start;
          j--;
          break;
        }
        const v = all[j + 1];
        if (u.text === 'ssh' && v?.kind === 'string') ssh ??= v.text;
        else if (u.text === 'facts' && v?.kind === 'string') facts ??= v.text;
        else if (u.text === 'port' && v?.kind === 'word' && /^\d{1,5}$/.test(v.text)) port ??= Number(v.text);
      }
    }
    hosts.push({ name: name.text, start: t.start, end, ...(ssh !== undefined ? { ssh } : {}), ...(port !== undefined ? { port } : {}), ...(facts !== undefined ? { facts } : {}) });
    i = j;
  }
  return hosts;
}
