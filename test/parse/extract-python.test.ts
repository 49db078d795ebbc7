import { describe, expect, it } from 'vitest';
import { importLines, outline, parseFixture, symbolNamed } from './parse-helpers.js';

describe('Python extraction', () => {
  it('extracts exactly the declarations of a Python client module', async () => {
    const result = await parseFixture('python/client.py');
    expect(result.hasErrors).toBe(false);
    expect(outline(result.symbols)).toEqual([
      ['DEFAULT_TIMEOUT', 'DEFAULT_TIMEOUT', 'constant', 15, 15],
      ['_cache', '_cache', 'variable', 16, 16],
      ['logger', 'logger', 'variable', 17, 17],
      ['retry', 'retry', 'function', 21, 24],
      ['inner', 'retry.inner', 'function', 22, 23],
      ['Request', 'Request', 'class', 27, 54],
      ['method', 'Request.method', 'field', 31, 31],
      ['MAX_BODY', 'Request.MAX_BODY', 'constant', 32, 32],
      ['__init__', 'Request.__init__', 'constructor', 34, 35],
      ['fetch', 'Request.fetch', 'method', 37, 43],
      ['host', 'Request.host', 'property', 45, 47],
      ['open_all', 'Request.open_all', 'method', 49, 51],
      ['Meta', 'Request.Meta', 'class', 53, 54],
      ['ordering', 'Request.Meta.ordering', 'field', 54, 54],
      ['native_path', 'native_path', 'function', 58, 59],
      ['native_path', 'native_path', 'function', 61, 62],
    ]);
  });

  it('extracts exactly the imports of a Python client module', async () => {
    const result = await parseFixture('python/client.py');
    expect(importLines(result)).toEqual([
      '2 import os',
      '3 import os.path',
      '3 import sys',
      '4 import . [utils]',
      '5 import ..pkg.mod [fetch_all, Parser]',
      '6 import .models [User, Role]',
      '8 import typing [*]',
      '11 import ujson',
      '13 import json',
      '42 import socket',
    ]);
  });

  it('gives signatures without bodies and docs without comment markers for a Python client module', async () => {
    const result = await parseFixture('python/client.py');
    expect(symbolNamed(result, 'Request.fetch').signature).toBe('def fetch(self, url: str) -> bytes');
    expect(symbolNamed(result, 'retry').signature).toBe('def retry(fn, times=3)');
    expect(symbolNamed(result, 'Request.open_all').signature).toBe('async def open_all(urls)');
    expect(symbolNamed(result, 'Request').signature).toBe('class Request');
    expect(symbolNamed(result, 'DEFAULT_TIMEOUT').signature).toBe('DEFAULT_TIMEOUT = 30');
    expect(symbolNamed(result, 'Request.fetch').doc).toBe('Fetch the body.\n\nReturns raw bytes.');
    expect(symbolNamed(result, 'Request').doc).toBe('A single request.');
    expect(symbolNamed(result, 'retry').doc).toBe('Retries a callable.');
    expect(symbolNamed(result, 'Request.host').doc).toBe(null);
  });
});
