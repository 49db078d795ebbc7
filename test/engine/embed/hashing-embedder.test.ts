import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { fnv1a32 } from '../../../src/engine/embed/feature-hash.js';
import { createHashingEmbedder, HashingEmbedder } from '../../../src/engine/embed/hashing-embedder.js';
import type { SymbolFields } from '../../../src/engine/embed/provider.js';
import { dot } from '../../../src/engine/embed/vector-math.js';
import { isPctxError } from '../../../src/errors.js';

function fn(name: string, extra: Partial<SymbolFields> = {}): SymbolFields {
  return { name, qualifiedName: name, kind: 'function', signature: `function ${name}(id: string)`, doc: null, ...extra };
}

function norm(vector: Float32Array): number {
  return Math.sqrt(dot(vector, vector));
}

/** Reference FNV-1a over TextEncoder's bytes, to pin the hand-rolled UTF-8 encoding. */
function referenceFnv(text: string): number {
  let hash = 0x811c9dc5;
  for (const byte of new TextEncoder().encode(text)) hash = Math.imul(hash ^ byte, 0x01000193);
  return hash >>> 0;
}

describe('fnv1a32', () => {
  it('matches the published FNV-1a test vectors', () => {
    expect(fnv1a32('')).toBe(0x811c9dc5);
    expect(fnv1a32('a')).toBe(0xe40c292c);
    expect(fnv1a32('foobar')).toBe(0xbf9cf968);
  });

  it('hashes the UTF-8 bytes of any string, lone surrogates included', () => {
    for (const text of ['é', '名前', '🎉', 'a\ud800b', '\udc00']) expect(fnv1a32(text)).toBe(referenceFnv(text));
    fc.assert(fc.property(fc.string({ unit: 'binary' }), (text) => fnv1a32(text) === referenceFnv(text)), { numRuns: 300 });
  });
});

describe('HashingEmbedder', () => {
  it('identifies its vector space as hash-v1 with 256 dimensions by default', () => {
    const embedder = new HashingEmbedder();
    expect(embedder.id).toBe('hash-v1');
    expect(embedder.dimension).toBe(256);
    expect(embedder.embedQuery('user').length).toBe(256);
    expect(createHashingEmbedder(64).embedSymbol(fn('getUser')).length).toBe(64);
  });

  it('gives bit-identical vectors across instances and calls', () => {
    const symbol = fn('getUserById', { qualifiedName: 'UserService.getUserById', kind: 'method', doc: 'Loads a user by primary key.' });
    const first = new HashingEmbedder({ dimension: 128 });
    const second = new HashingEmbedder({ dimension: 128 });
    const a = first.embedSymbol(symbol);
    first.embedQuery('something else entirely');
    expect(first.embedSymbol(symbol)).toEqual(a);
    expect(second.embedSymbol(symbol)).toEqual(a);
    expect(first.embedQuery('get user')).toEqual(second.embedQuery('get user'));
  });

  it('keeps hash-v1 vectors unchanged from release to release', () => {
    // Stored indexes hold these vectors: a change here must come with a new embedder id.
    const embedder = new HashingEmbedder({ dimension: 16 });
    const symbol = embedder.embedSymbol(fn('getUserById', { qualifiedName: 'UserService.getUserById', kind: 'method', doc: 'Loads a user.' }));
    const query = embedder.embedQuery('get user by id');
    expect(Array.from(symbol, (x) => x.toFixed(6))).toEqual(GOLDEN_SYMBOL);
    expect(Array.from(query, (x) => x.toFixed(6))).toEqual(GOLDEN_QUERY);
  });

  it('returns unit vectors for any text and any symbol, the empty ones included', () => {
    const embedder = new HashingEmbedder({ dimension: 32 });
    expect(norm(embedder.embedQuery(''))).toBeCloseTo(1, 5);
    expect(norm(embedder.embedQuery('the of and'))).toBeCloseTo(1, 5);
    expect(norm(embedder.embedSymbol({ name: '', qualifiedName: '', kind: '', signature: '', doc: null }))).toBeCloseTo(1, 5);
    fc.assert(
      fc.property(fc.string({ unit: 'binary' }), fc.string(), fc.string(), fc.option(fc.string()), (name, signature, kind, doc) => {
        const q = embedder.embedQuery(name + signature);
        const s = embedder.embedSymbol({ name, qualifiedName: `X.${name}`, kind, signature, doc });
        expect(Math.abs(norm(q) - 1)).toBeLessThan(1e-5);
        expect(Math.abs(norm(s) - 1)).toBeLessThan(1e-5);
      }),
      { numRuns: 500 },
    );
  });

  it('places getUserById closer to fetchUserById than to parseXmlDocument', () => {
    const embedder = new HashingEmbedder();
    const [get, fetch, parse] = embedder.embedSymbolsSync([fn('getUserById'), fn('fetchUserById'), fn('parseXmlDocument', { signature: 'function parseXmlDocument(xml: string)' })]);
    expect(dot(get!, fetch!)).toBeGreaterThan(dot(get!, parse!) + 0.3);
    expect(dot(fetch!, parse!)).toBeLessThan(0.2);
  });

  it('ranks the matching symbol first for free-text queries, typos included', () => {
    const embedder = new HashingEmbedder();
    const symbols = [
      fn('getUserById'),
      fn('parseXmlDocument', { signature: 'function parseXmlDocument(xml: string): Document' }),
      fn('getUser', { qualifiedName: 'UserService.getUser', kind: 'method' }),
      fn('readConfigFile', { signature: 'function readConfigFile(path: string)', doc: 'Loads the YAML configuration from disk.' }),
      fn('RateLimiter', { kind: 'class', signature: 'class RateLimiter' }),
    ];
    const vectors = embedder.embedSymbolsSync(symbols);
    const best = (query: string) => {
      const q = embedder.embedQuery(query);
      return symbols.map((symbol, i) => ({ name: symbol.name, score: dot(q, vectors[i]!) })).sort((a, b) => b.score - a.score)[0]!.name;
    };
    expect(best('get user by id')).toBe('getUserById');
    expect(best('xml parser')).toBe('parseXmlDocument');
    expect(best('load the configuration')).toBe('readConfigFile');
    expect(best('rate limiting')).toBe('RateLimiter');
    expect(best('getUsr')).toBe('getUser');
  });

  it('rejects a dimension that is not an integer from 16 to 4096 with INVALID_CONFIG', () => {
    expect(new HashingEmbedder({ dimension: 16 }).dimension).toBe(16);
    expect(new HashingEmbedder({ dimension: 4096 }).dimension).toBe(4096);
    for (const dimension of [15, 4097, 0, -256, 1.5, Number.NaN, '256' as unknown as number]) {
      let error: unknown;
      try {
        new HashingEmbedder({ dimension });
      } catch (err) {
        error = err;
      }
      expect(isPctxError(error, 'INVALID_CONFIG')).toBe(true);
      expect((error as { details: { option: string } }).details.option).toBe('dimension');
    }
  });

  it('gives the same vectors through the synchronous and asynchronous methods', async () => {
    const embedder = new HashingEmbedder({ dimension: 64 });
    expect(await embedder.embed(['a query', 'another'])).toEqual(embedder.embedSync(['a query', 'another']));
    const symbols = [fn('one'), fn('two')];
    expect(await embedder.embedSymbols(symbols)).toEqual(embedder.embedSymbolsSync(symbols));
    expect(await embedder.embed([])).toEqual([]);
  });

  it('rejects with the abort reason when the signal is already aborted', async () => {
    const embedder = new HashingEmbedder();
    await expect(embedder.embed(['x'], AbortSignal.abort())).rejects.toMatchObject({ name: 'AbortError' });
    await expect(embedder.embedSymbols([fn('x')], AbortSignal.abort())).rejects.toMatchObject({ name: 'AbortError' });
  });
});

const GOLDEN_SYMBOL = [
  '0.000000', '-0.069598', '-0.489740', '0.080865', '-0.139195', '0.000000', '0.351055', '0.000000',
  '0.220700', '0.000000', '0.675077', '-0.139195', '-0.069598', '0.069598', '-0.269551', '0.000000',
];
const GOLDEN_QUERY = [
  '0.000000', '-0.145339', '-0.411268', '-0.145339', '-0.145339', '0.000000', '0.556607', '0.000000',
  '0.145339', '0.145339', '0.556607', '0.000000', '-0.290679', '0.145339', '0.000000', '0.000000',
];
