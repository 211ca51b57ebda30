// The byte-level framing check of the server's input (server/lsp/framing.ts);
// test/lsp/stress.test.ts checks that the built server exits on what it reports.
import { describe, expect, it } from 'vitest';
import { FrameGuard } from '../../server/lsp/framing';

describe('FrameGuard', () => {
  const frame = (body: string) =>
    `Content-Length: ${Buffer.byteLength(body)}\r\nContent-Type: application/vscode-jsonrpc; charset=utf-8\r\n\r\n${body}`;

  it('accepts messages however the input is cut into chunks', () => {
    const input = Buffer.from(frame('{"a":"é"}') + frame('{}') + frame('{"b":[1,2,3]}'));
    for (let size = 1; size <= input.length; size++) {
      const errors: string[] = [];
      const g = new FrameGuard((why) => errors.push(why));
      for (let i = 0; i < input.length; i += size) g.push(input.subarray(i, i + size));
      g.end();
      expect(errors, `chunks of ${size}`).toEqual([]);
    }
  });

  it('reports a missing Content-Length, a malformed header, binary bytes, an oversized header, and input ending inside a message', () => {
    const check = (input: string | Buffer, end = false) => {
      const errors: string[] = [];
      const g = new FrameGuard((why) => errors.push(why));
      g.push(typeof input === 'string' ? Buffer.from(input) : input);
      if (end) g.end();
      return errors;
    };
    expect(check('Content-Type: x\r\n\r\n{}')).toEqual(['a message header without Content-Length']);
    expect(check('Content-Length 2\r\n\r\n{}')[0]).toMatch(/malformed header line/);
    expect(check('Content-Length: two\r\n\r\n{}')[0]).toMatch(/Content-Length is not a number/);
    expect(check(Buffer.from([0xde, 0xad]))[0]).toMatch(/byte 0xde where a message header was expected/);
    expect(check('X'.repeat(9000))[0]).toMatch(/header longer than 8192 bytes/);
    expect(check('Content-Length: 10\r\n\r\n{}', true)[0]).toMatch(/ended 8 bytes short/);
    expect(check('Content-Len', true)[0]).toMatch(/ended inside a message header/);
    expect(check(frame('{}'), true)).toEqual([]);
    // one report, however much follows
    expect(check('Content-Type: x\r\n\r\n\u0000\u0000Content-Type: y\r\n\r\n')).toHaveLength(1);
  });
});
