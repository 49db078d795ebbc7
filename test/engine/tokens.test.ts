import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { splitIdentifier, textTokens } from '../../src/engine/tokens.js';

// Every kind of string a tokenizer can meet: identifiers, prose, and arbitrary Unicode
// (lone surrogates and combining marks included).
const anyText = fc.oneof(
  fc.string({ unit: 'binary' }),
  fc.string({ unit: 'grapheme' }),
  fc.string({ unit: fc.constantFrom('a', 'B', 'c', 'D', '_', '-', '1', '2', ' ', '.', 'İ', 'ǅ', 'É', 'é', '\u0301', 'ß', 'Σ', '名') }),
);

describe('splitIdentifier', () => {
  it.each([
    ['getUserById', ['get', 'user', 'by', 'id']],
    ['parseHTTPResponse', ['parse', 'http', 'response']],
    ['getUserID2', ['get', 'user', 'id', '2']],
    ['__init__', ['init']],
    ['snake_case_name', ['snake', 'case', 'name']],
    ['kebab-case-name', ['kebab', 'case', 'name']],
    ['SCREAMING_CASE', ['screaming', 'case']],
    ['PascalCase', ['pascal', 'case']],
    ['XMLHttpRequest', ['xml', 'http', 'request']],
    ['IOError', ['io', 'error']],
    ['iPhone', ['i', 'phone']],
    ['utf8Decoder', ['utf', '8', 'decoder']],
    ['v2', ['v', '2']],
    ['sha256sum', ['sha', '256', 'sum']],
    ['UserService.getUser', ['user', 'service', 'get', 'user']],
    ['crate::a::b', ['crate', 'a', 'b']],
    ['$scope', ['scope']],
    ['größeBerechnen', ['größe', 'berechnen']],
    ['名前を取得', ['名前を取得']],
    ['x', ['x']],
    ['', []],
    ['__', []],
  ])('splits %s', (name, expected) => {
    expect(splitIdentifier(name)).toEqual(expected);
  });

  it('never returns empty strings and always returns lowercase', () => {
    fc.assert(
      fc.property(anyText, (text) => {
        for (const token of splitIdentifier(text)) {
          expect(token).not.toBe('');
          expect(token).toBe(token.toLowerCase());
        }
      }),
      { numRuns: 2000 },
    );
  });

  it('is idempotent on its own output, token by token and joined', () => {
    fc.assert(
      fc.property(anyText, (text) => {
        const tokens = splitIdentifier(text);
        for (const token of tokens) expect(splitIdentifier(token)).toEqual([token]);
        expect(splitIdentifier(tokens.join('_'))).toEqual(tokens);
      }),
      { numRuns: 2000 },
    );
  });
});

describe('textTokens', () => {
  it('splits identifiers inside prose and drops stopwords and one-letter tokens', () => {
    expect(textTokens('Returns the user for a given userId, or null if it is missing (see `parseHTTPResponse`).')).toEqual([
      'user',
      'given',
      'user',
      'id',
      'null',
      'missing',
      'see',
      'parse',
      'http',
      'response',
    ]);
  });

  it('tokenizes a signature', () => {
    expect(textTokens('function getUser(id: string): Promise<User | null>')).toEqual(['get', 'user', 'id', 'string', 'promise', 'user', 'null']);
  });

  it('keeps multi-digit numbers and drops single digits', () => {
    expect(textTokens('HTTP 404 after 3 retries')).toEqual(['http', '404', 'after', 'retries']);
  });

  it('never returns empty, uppercase or one-character tokens and is idempotent', () => {
    fc.assert(
      fc.property(anyText, (text) => {
        const tokens = textTokens(text);
        for (const token of tokens) {
          expect(token).toBe(token.toLowerCase());
          expect([...token].length).toBeGreaterThan(1);
        }
        expect(textTokens(tokens.join(' '))).toEqual(tokens);
      }),
      { numRuns: 2000 },
    );
  });
});
