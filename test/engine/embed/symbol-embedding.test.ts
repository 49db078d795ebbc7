import { describe, expect, it } from 'vitest';
import { MAX_DOC_CHARS, symbolEmbeddingText } from '../../../src/engine/embed/symbol-embedding.js';

describe('symbolEmbeddingText', () => {
  it('puts kind and qualified name, the name as words, the signature and the doc on their own lines', () => {
    expect(
      symbolEmbeddingText({
        name: 'getUserById',
        qualifiedName: 'UserService.getUserById',
        kind: 'method',
        signature: 'getUserById(id:   string):\n  Promise<User>',
        doc: 'Loads a user\n\nby primary key.',
      }),
    ).toBe('method UserService.getUserById\nget user by id\ngetUserById(id: string): Promise<User>\nLoads a user by primary key.');
  });

  it('leaves out an empty signature and a missing doc', () => {
    expect(symbolEmbeddingText({ name: 'MAX', qualifiedName: 'MAX', kind: 'constant', signature: '', doc: null })).toBe('constant MAX\nmax');
    expect(symbolEmbeddingText({ name: 'x', qualifiedName: 'x', kind: 'variable', signature: '  ', doc: '   ' })).toBe('variable x\nx');
  });

  it('cuts a long doc without splitting a surrogate pair', () => {
    const doc = `${'a'.repeat(MAX_DOC_CHARS - 1)}😀 and more`;
    const text = symbolEmbeddingText({ name: 'f', qualifiedName: 'f', kind: 'function', signature: 'f()', doc });
    const docLine = text.split('\n')[3]!;
    expect(docLine).toBe('a'.repeat(MAX_DOC_CHARS - 1));
    expect(docLine.length).toBeLessThanOrEqual(MAX_DOC_CHARS);
  });
});
