import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ftsText } from '../../src/engine/indexer/derived-text.js';
import { bodyIdentifiers } from '../../src/engine/indexer/body-identifiers.js';
import { indexTerms, nameTerms, pathTerms, queryTerms, queryWords, stem } from '../../src/engine/search-terms.js';
import type { ExtractedSymbol } from '../../src/parse/types.js';

/** Words and identifiers as people type them in queries and as code holds them in comments. */
const wordText = fc
  .array(fc.oneof(fc.constantFrom('the', 'of', 'Return', 'parsing', 'parse', 'getUserById', 'HTTPServer', 'file_name', 'entries', 'a', 'x2', 'Values', 'copied', '$el'), fc.stringMatching(/^[A-Za-z_][A-Za-z0-9_]{0,12}$/)), {
    minLength: 1,
    maxLength: 12,
  })
  .map((words) => words.join(' '));

describe('stem', () => {
  it.each([
    [['parse', 'parses', 'parsed', 'parsing'], 'pars'],
    [['entry', 'entries'], 'entri'],
    [['file', 'files'], 'fil'],
    [['run', 'running'], 'run'],
    [['call', 'calls', 'called', 'calling'], 'call'],
    [['class', 'classes'], 'class'],
    [['status'], 'status'],
    [['copy', 'copies', 'copied'], 'copi'],
  ])('brings %j to %s', (words, expected) => {
    for (const word of words) expect(stem(word)).toBe(expected);
  });

  it('leaves short words and words with digits alone', () => {
    expect(stem('id')).toBe('id');
    expect(stem('ids')).toBe('id');
    expect(stem('bus')).toBe('bus');
    expect(stem('utf8s')).toBe('utf8s');
  });
});

describe('query and index analysis', () => {
  it('drops stop words from a sentence but keeps the words a name is made of', () => {
    expect(queryTerms(queryWords('Return the value of the given key'))).toEqual(['valu', 'key']);
    expect(queryTerms(queryWords('read all bytes from file'))).toEqual(['read', 'all', 'byt', 'fil']);
    // A query of nothing but stop words means a name.
    expect(queryTerms(queryWords('is'))).toEqual(['is']);
  });

  it('meets the indexed doc words of a sentence however its words are inflected', () => {
    const indexed = new Set(ftsText({ name: 'readAllBytes', qualifiedName: 'Files.readAllBytes', signature: 'byte[] readAllBytes(Path path)', doc: 'Reads all the bytes from a file.' }, 'java/nio/file/Files.java').doc.split(' '));
    for (const term of queryTerms(queryWords('read all bytes of the files'))) expect(indexed).toContain(term);
  });

  it('every query term of a text is among the index terms of the same text', () => {
    fc.assert(
      fc.property(wordText, (text) => {
        const terms = queryTerms(queryWords(text));
        const indexed = new Set(indexTerms(text));
        // A query of nothing but stop words and letters keeps them (see queryWords).
        const onlyStopWords = text.split(' ').every((w) => indexTerms(w).length === 0);
        if (!onlyStopWords) for (const term of terms) expect(indexed).toContain(term);
      }),
      { numRuns: 1000 },
    );
  });

  it('finds a name by its words, whole or written in parts', () => {
    const indexed = new Set(nameTerms('_getUserById'));
    expect(indexed).toContain('getuserbyid');
    for (const term of queryTerms(queryWords('get users by ids'))) expect(indexed).toContain(term);
    expect(queryWords('getUserById')[0]!.whole).toBe('getuserbyid');
  });

  it('makes module and file names searchable, without build folders and extensions', () => {
    expect(pathTerms('Lib/subprocess.py')).toEqual(['subprocess']);
    expect(pathTerms('src/http/client-pool.d.ts')).toEqual(['http', 'clientpool', 'client', 'pool']);
  });
});

describe('bodyIdentifiers', () => {
  const sym = (name: string, startByte: number, endByte: number, parent: number | null = null): ExtractedSymbol => ({
    name,
    qualifiedName: name,
    kind: 'function',
    startLine: 1,
    endLine: 1,
    startByte,
    endByte,
    signature: name,
    doc: null,
    parent,
    local: false,
  });

  it('collects the identifiers a body uses, not its strings, comments or keywords', () => {
    const source = 'def load(path):\n    """Open the config."""\n    # read it all\n    data = read_bytes(path, "mode")\n    return decode_json(data)\n';
    expect(bodyIdentifiers(source, [sym('load', 0, source.length)], 'python')).toEqual([['path', 'data', 'read_bytes', 'decode_json']]);
  });

  it('leaves the code of a nested symbol to that symbol', () => {
    const source = 'class Outer { field = makeThing(); inner() { return callInner(); } }';
    const start = source.indexOf('inner()');
    const end = source.indexOf('}') + 1;
    const [outer, inner] = bodyIdentifiers(source, [sym('Outer', 0, source.length), sym('inner', start, end, 0)], 'typescript');
    expect(outer).toEqual(['field', 'makeThing']);
    expect(inner).toEqual(['callInner']);
  });

  it('ends a comment or string left open at the start of a nested symbol with the enclosing part', () => {
    const source = 'class A { before(); /* open comment inner() { return inInner(); } */ after(); }';
    const start = source.indexOf('inner()');
    const end = source.indexOf('}') + 1;
    const [outer, inner] = bodyIdentifiers(source, [sym('A', 0, source.length), sym('inner', start, end, 0)], 'typescript');
    // The comment opened in A's own code is cut at inner's start; A's code resumes after inner.
    expect(outer).toEqual(['before', 'after']);
    expect(inner).toEqual(['inInner']);
  });

  it('skips number literals with their suffixes, and identifiers under three characters', () => {
    const source = 'function f() { return 0xff + 1.5e3 + 10L + 2$cash + ab + abc; }';
    expect(bodyIdentifiers(source, [sym('f', 0, source.length)], 'javascript')).toEqual([['$cash', 'abc']]);
  });

  it('reads UTF-8 byte offsets in files with non-ASCII text', () => {
    const source = '// héllo wörld\nfunction f() { return compute(); }\n';
    const start = Buffer.byteLength(source.slice(0, source.indexOf('function')));
    expect(bodyIdentifiers(source, [sym('f', start, Buffer.byteLength(source))], 'javascript')).toEqual([['compute']]);
  });
});
