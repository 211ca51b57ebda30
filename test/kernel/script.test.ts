// parseScript: `echo VALUE > PATH` lines as a shell runs them — comments,
// blank lines, quotes, `echo -n` — and the line number of anything else.

import { describe, expect, it } from 'vitest';
import { KernelModel } from '../../server/core/kernel/model';
import { parseScript } from '../../server/core/kernel/script';
import { linux61Boot } from './hosts';
import { run } from './session';

function writes(text: string) {
  const p = parseScript(text);
  if (!p.ok) throw new Error(p.message);
  return p.writes.map((w) => ({ line: w.line, path: w.path, value: w.value }));
}

function failure(text: string) {
  const p = parseScript(text);
  if (p.ok) throw new Error(`expected a parse failure, got ${JSON.stringify(p.writes)}`);
  return p;
}

const SIZE = '/sys/bus/dax/devices/dax0.1/size';

describe('parseScript', () => {
  it('takes `echo VALUE > PATH`, the value with the newline echo adds', () => {
    expect(writes(`echo 268435456 > ${SIZE}`)).toEqual([{ line: 1, path: SIZE, value: '268435456\n' }]);
  });

  it('skips blank lines and # comments, numbering lines from 1 as in the file', () => {
    const text = [
      '#!/bin/sh',
      '',
      '# make dax0.1',
      '   # indented comment',
      `echo 1 > /sys/devices/platform/hmem.0/dax_region/create`,
      '\t',
      `echo 0 > ${SIZE}`,
      '',
    ].join('\n');
    expect(writes(text)).toEqual([
      { line: 5, path: '/sys/devices/platform/hmem.0/dax_region/create', value: '1\n' },
      { line: 7, path: SIZE, value: '0\n' },
    ]);
  });

  it('accepts CRLF line ends and surrounding whitespace', () => {
    expect(writes(`  echo 1 > ${SIZE}  \r\n\r\necho 2 > ${SIZE}\r\n`)).toEqual([
      { line: 1, path: SIZE, value: '1\n' },
      { line: 3, path: SIZE, value: '2\n' },
    ]);
  });

  it('accepts the redirection with or without spaces', () => {
    expect(
      writes(`echo 1 >${SIZE}\necho a2>${SIZE}\necho 3 >   ${SIZE}\necho "4">${SIZE}`).map((w) => w.value),
    ).toEqual(['1\n', 'a2\n', '3\n', '4\n']);
  });

  it('does not read `N>` as part of the value: digits glued to > are a file-descriptor redirection', () => {
    // sh: `echo 1 2>P` prints "1" on stdout and sends only stderr to P — the kernel sees no "1 2".
    for (const text of [`echo 1 2>${SIZE}`, `echo 2>${SIZE}`, `echo 1>${SIZE}`, `echo dax0.1 3>${SIZE}`]) {
      const f = failure(`# fd\n${text}`);
      expect(f.line, text).toBe(2);
    }
  });

  it('removes single and double quotes, keeps quoted spaces and > signs, honours backslash escapes', () => {
    expect(writes(`echo "0x100000000-0x10fffffff" > /sys/bus/dax/devices/dax0.1/mapping`)[0]?.value).toBe(
      '0x100000000-0x10fffffff\n',
    );
    expect(writes(`echo 'dax0.1' > /sys/bus/dax/drivers/device_dax/bind`)[0]?.value).toBe('dax0.1\n');
    expect(writes(`echo "a  b" > ${SIZE}`)[0]?.value).toBe('a  b\n');
    expect(writes(`echo 'a > b' > ${SIZE}`)[0]?.value).toBe('a > b\n');
    expect(writes(`echo da"x0".'1' > ${SIZE}`)[0]?.value).toBe('dax0.1\n');
    expect(writes(`echo "say \\"hi\\"" > ${SIZE}`)[0]?.value).toBe('say "hi"\n');
    expect(writes(`echo a\\ b > ${SIZE}`)[0]?.value).toBe('a b\n');
    expect(writes(`echo 1 > "${SIZE}"`)[0]?.path).toBe(SIZE);
  });

  it('joins several words with one space, as echo does', () => {
    expect(writes(`echo a   b\tc > ${SIZE}`)[0]?.value).toBe('a b c\n');
  });

  it('echo -n writes no newline; a bare echo writes just the newline', () => {
    expect(writes(`echo -n 1 > ${SIZE}`)[0]?.value).toBe('1');
    expect(writes(`echo -n dax0.1 > /sys/bus/dax/drivers/device_dax/bind`)[0]?.value).toBe('dax0.1');
    expect(writes(`echo > ${SIZE}`)[0]?.value).toBe('\n');
    expect(writes(`echo -n > ${SIZE}`)[0]?.value).toBe('');
    expect(writes(`echo "-n" 1 > ${SIZE}`)[0]?.value).toBe('1'); // the shell removes the quotes first
  });

  it('reports the line number of a line it cannot model', () => {
    const cases: [string, number][] = [
      [`echo 1 > ${SIZE}\ncat ${SIZE}`, 2],
      [`# comment\n\necho $SIZE > ${SIZE}`, 3],
      [`echo \`cat /x\` > ${SIZE}`, 1],
      [`echo 1 > ${SIZE}\necho 1 >> ${SIZE}`, 2],
      [`echo 1 > ${SIZE}; echo 2 > ${SIZE}`, 1],
      [`echo 1 | tee ${SIZE}`, 1],
      [`echo 1 > relative/path`, 1],
      [`echo "unterminated > ${SIZE}`, 1],
      [`echo 'unterminated > ${SIZE}`, 1],
      [`echo dax0.* > ${SIZE}`, 1],
      [`printf 1 > ${SIZE}`, 1],
      [`echo 1 > $P`, 1],
      [`echo 1 >`, 1],
      [`\n\n\n\nfor i in 1 2; do echo $i > ${SIZE}; done`, 5],
    ];
    for (const [text, line] of cases) {
      const f = failure(text);
      expect(f.line, text).toBe(line);
      expect(f.message, text).toContain(`line ${line}`);
    }
  });

  it('a trailing `# comment` is dropped as the shell drops it; a `#` inside a word or quotes is kept', () => {
    expect(writes(`echo 1 > ${SIZE} # expect: ok`).map((w) => [w.path, w.value])).toEqual([[SIZE, '1\n']]);
    expect(writes(`echo 'a #b' > ${SIZE}`).map((w) => w.value)).toEqual(['a #b\n']);
    expect(writes(`echo a#b > ${SIZE}`).map((w) => w.value)).toEqual(['a#b\n']);
  });

  it('an empty script or one of comments only has no writes', () => {
    expect(writes('')).toEqual([]);
    expect(writes('# nothing\n\n   \n#echo 1 > /sys/x\n')).toEqual([]);
  });
});

describe('run(): a parsed script against the model, line by line', () => {
  it('gives each line its outcome, like a shell session', () => {
    const m = KernelModel.fromFacts(linux61Boot());
    const steps = run(
      m,
      `
# 6.1 boot: dax0.0 holds the region, bound to device_dax
echo 0 > /sys/bus/dax/devices/dax0.0/size
echo dax0.0 > /sys/bus/dax/drivers/device_dax/unbind
echo 0 > /sys/bus/dax/devices/dax0.0/size
echo -n 1 > /sys/devices/platform/hmem.0/dax_region/create
echo "0x100000000-0x10fffffff" > /sys/bus/dax/devices/dax0.1/mapping
echo 'dax0.1' > /sys/bus/dax/drivers/device_dax/bind
echo 1 > /proc/sys/vm/drop_caches
`,
    );
    expect(steps.map((s) => [s.line, s.result])).toEqual([
      [3, 'EBUSY'],
      [4, 'ok'],
      [5, 'ok'],
      [6, 'ok'],
      [7, 'ok'],
      [8, 'ok'],
      [9, 'unmodelled'],
    ]);
  });

  it('a value without newline is read as the kernel reads it', () => {
    const m = KernelModel.fromFacts(linux61Boot());
    const steps = run(
      m,
      `echo dax0.0 > /sys/bus/dax/drivers/device_dax/unbind
echo -n 0 > /sys/bus/dax/devices/dax0.0/size
echo -n 1 > /sys/devices/platform/hmem.0/dax_region/create
echo -n dax0.1 > /sys/devices/platform/hmem.0/dax_region/delete
echo -n dax0.1 > /sys/bus/dax/drivers/kmem/new_id
echo -n 2097152 > /sys/bus/dax/devices/dax0.0/align`,
    );
    expect(steps.map((s) => s.result)).toEqual(['ok', 'ok', 'ok', 'ok', 'ok', 'ok']);
  });

  it('run() refuses a script it cannot parse, naming the line', () => {
    const m = KernelModel.fromFacts(linux61Boot());
    expect(() => run(m, `echo 1 > /sys/x\nrm -rf /`)).toThrow(/line 2/);
  });
});
