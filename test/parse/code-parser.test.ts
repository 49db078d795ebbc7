import { describe, expect, it } from 'vitest';
import { isPctxError } from '../../src/errors.js';
import { CodeParser } from '../../src/parse/code-parser.js';
import { LANGUAGES } from '../../src/parse/types.js';
import { outline, readFixture, sharedParser } from './parse-helpers.js';

describe('CodeParser', () => {
  it('loads only the grammars it is asked for and refuses to parse others until loaded', async () => {
    const parser = await CodeParser.create({ languages: ['python'] });
    expect(parser.isLoaded('python')).toBe(true);
    expect(parser.isLoaded('go')).toBe(false);
    let thrown: unknown;
    try {
      parser.parse('go', 'package main');
    } catch (err) {
      thrown = err;
    }
    expect(isPctxError(thrown, 'INVALID_ARGUMENT')).toBe(true);
    await parser.load('go');
    await parser.load('go');
    expect(parser.parse('go', 'package main\nfunc Run() {}\n').symbols.map((s) => s.name)).toEqual(['Run']);
  });

  it('rejects a language id it does not know', async () => {
    const parser = await CodeParser.create({ languages: [] });
    await expect(parser.load('cobol' as never)).rejects.toSatisfy((err) => isPctxError(err, 'INVALID_ARGUMENT'));
  });

  it('loads every language by default', async () => {
    const parser = await sharedParser();
    for (const language of LANGUAGES) expect(parser.isLoaded(language)).toBe(true);
  });

  it('gives the same result for a file however often and between whichever languages it is reused', async () => {
    const parser = await sharedParser();
    const python = readFixture('python/client.py');
    const rust = readFixture('rust/lib.rs');
    const first = parser.parse('python', python);
    parser.parse('rust', rust);
    parser.parse('typescript', readFixture('typescript/service.ts'));
    const again = parser.parse('python', python);
    expect(again).toEqual(first);
    expect(outline(parser.parse('rust', rust).symbols)).toEqual(outline(parser.parse('rust', rust).symbols));
  });

  it('returns plain data that survives structured cloning, as across a worker boundary', async () => {
    const result = (await sharedParser()).parse('typescript', readFixture('typescript/service.ts'));
    expect(structuredClone(result)).toEqual(result);
  });
});
