import { describe, expect, it } from 'vitest';
import { format, parse } from '../../grammar/src/index';
import { shape } from './helpers';

/** Formats, checking idempotence and that nothing but layout changed. */
function fmt(text: string): string {
  const out = format(text);
  expect(out, 'format returned undefined').toBeDefined();
  expect(format(out!)).toBe(out);
  expect(parse(out!).errors).toEqual([]);
  expect(shape(parse(out!))).toEqual(shape(parse(text)));
  expect(parse(out!).comments.map((c) => c.text)).toEqual(parse(text).comments.map((c) => c.text.trimEnd()));
  return out!;
}

describe('format', () => {
  it('lays out a compressed file', () => {
    expect(fmt('host a{ssh "x" port 22}region 0 on a{device w{size 48G align 1G}start 0x1_0000_0000 dynamic}')).toBe(
      `host a {
  ssh "x"
  port 22
}

region 0 on a {
  device w { size 48G align 1G }
  start 0x1_0000_0000
  dynamic
}
`,
    );
  });

  it('keeps values as written, normalising blanks', () => {
    expect(
      fmt(
        'region 0 {\n\tdevice  p   {  name   dax0.4   range 0x11_0000_0000 .. 0x11_3fff_ffff ,0x12_0000_0000+1G size 4   GiB }\n}',
      ),
    ).toBe(
      'region 0 {\n  device p { name dax0.4 range 0x11_0000_0000..0x11_3fff_ffff, 0x12_0000_0000 + 1G size 4 GiB }\n}\n',
    );
  });

  it('puts one blank line between declarations and keeps at most one inside blocks', () => {
    const text = `

host a {


  ssh "x"



  port 22

}
region 0 {

  device a { size 1G }



  device b { size 2G }
  device c { size 3G }
}



region 1 {
}
`;
    expect(fmt(text)).toBe(`host a {
  ssh "x"

  port 22
}

region 0 {
  device a { size 1G }

  device b { size 2G }
  device c { size 3G }
}

region 1 {
}
`);
  });

  it('keeps every comment in place and aligns end-of-line comments', () => {
    const text = `# header
# second line

host a { # the lab host
  ssh "x"    # destination
  port 2222 # non-standard
  # a comment on its own line

  arch x86_64
  # last
}
# about region 0
region 0 on a {
  device w { size 48G } # one-line device, trailing comment
  device x {
    size 1G # inside: the device spans several lines
  }
}
# the end`;
    expect(fmt(text)).toBe(`# header
# second line

host a {  # the lab host
  ssh "x"    # destination
  port 2222  # non-standard
  # a comment on its own line

  arch x86_64
  # last
}

# about region 0
region 0 on a {
  device w { size 48G }  # one-line device, trailing comment
  device x {
    size 1G  # inside: the device spans several lines
  }
}

# the end
`);
  });

  it('keeps comments placed in the middle of a declaration or a property', () => {
    const text = `region 0 # the id
  on a {
  device c { range 0x100..0x1ff, # first
    0x200 + 1G }
}`;
    expect(fmt(text)).toBe(`region 0  # the id
  on a {
  device c {
    range 0x100..0x1ff,  # first
      0x200 + 1G
  }
}
`);
  });

  it("keeps the user's line structure: a device block written over several lines stays so", () => {
    const text = `region 0 on a {
  device weather {
    colours 0..1 of 4 exclusive
    expect read-latency 50ns from node 0
  }
  device b { size 2M }
}
`;
    expect(fmt(text)).toBe(text);
    // joined lines are not split again, and split ones not joined: each keeps its own form
    expect(fmt(text.replace('device b { size 2M }', 'device b {\n    size 2M\n  }'))).toBe(
      text.replace('device b { size 2M }', 'device b {\n    size 2M\n  }'),
    );
  });

  it('keeps end-of-line comments at the column the user aligned them, at least two spaces after the code', () => {
    const text = `region 0 on a {
  device a { size 3M }                     # first
  device b { size 512M align 4M }          # second
}
`;
    expect(fmt(text)).toBe(text);
    // a run is aligned at its rightmost comment; code that grows past it pushes the run right
    expect(fmt(text.replace('# first', ' # first'))).toBe(
      text
        .replace('                     # first', '                      # first')
        .replace('          # second', '           # second'),
    );
    // a longer line in the run: the run moves right to two spaces after it
    const long = '  device b { size 512M align 4M mode system-ram movable name dax0.9 }';
    expect(fmt(`region 0 on a {\n  device a { size 3M }   # first\n${long}  # second\n}\n`)).toBe(
      `region 0 on a {\n${'  device a { size 3M }'.padEnd(long.length + 2)}# first\n${long}  # second\n}\n`,
    );
  });

  it('breaks a device block that would not fit in 100 columns', () => {
    const long =
      'region 0 { device pinned { name dax0.4 range 0x11_0000_0000..0x11_3fff_ffff, 0x12_0000_0000 + 1G mode system-ram movable } }';
    expect(fmt(long)).toBe(`region 0 {
  device pinned {
    name dax0.4
    range 0x11_0000_0000..0x11_3fff_ffff, 0x12_0000_0000 + 1G
    mode system-ram movable
  }
}
`);
    // Exactly 100 columns still fits.
    const label = 'd'.repeat(100 - '  device  { size 1G }'.length);
    const line = `  device ${label} { size 1G }`;
    expect(line.length).toBe(100);
    expect(fmt(`region 0 {\n${line}\n}`)).toBe(`region 0 {\n${line}\n}\n`);
    expect(fmt(`region 0 {\n  device ${label}x { size 1G }\n}`)).toContain(`{\n    size 1G\n  }`);
  });

  it('prints empty blocks', () => {
    expect(fmt('host a {} region 0 { device d {} }')).toBe('host a {\n}\n\nregion 0 {\n  device d { }\n}\n');
  });

  it('formats empty and comment-only files', () => {
    expect(fmt('')).toBe('');
    expect(fmt('  \n\n')).toBe('');
    expect(fmt('# only   \n\n\n# comments')).toBe('# only\n\n# comments\n');
  });

  it('handles CRLF and lone CR line endings', () => {
    expect(fmt('host a {\r\n  port 22 # c\r\n}\r\n')).toBe('host a {\n  port 22  # c\n}\n');
    expect(fmt('host a {\r  port 22 # c\r\r  # own\r}\r# top\rregion 0 {\r}')).toBe(
      'host a {\n  port 22  # c\n\n  # own\n}\n\n# top\nregion 0 {\n}\n',
    );
  });

  it('refuses to format text with syntax errors', () => {
    expect(format('host a { port }')).toBeUndefined();
    expect(format('host a {')).toBeUndefined();
    expect(format('host a { ssh "x }')).toBeUndefined();
    expect(format('host a { $ }')).toBeUndefined();
  });

  it('formats values the core will reject, since they are not syntax errors', () => {
    expect(fmt('region 0 { device a { size 1.5G align 4GB } }')).toBe(
      'region 0 {\n  device a { size 1.5G align 4GB }\n}\n',
    );
  });
});
