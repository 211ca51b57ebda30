// The grammar's definition, checked once with chevrotain's validations on (the lexer and parser
// that parse every document are built without them, for start-up time).
import { describe, expect, it } from 'vitest';
import { grammarProblems } from '../../grammar/src/parser';

describe('grammar definition', () => {
  it('has no lexer or parser definition errors (ambiguities, unoptimisable tokens, unreachable alternatives)', () => {
    expect(grammarProblems()).toEqual([]);
  });
});
