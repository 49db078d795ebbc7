import { describe, expect, it } from 'vitest';
import { importLines, outline, parseFixture, symbolNamed } from './parse-helpers.js';

describe('Go extraction', () => {
  it('extracts exactly the declarations of a Go server package', async () => {
    const result = await parseFixture('go/server.go');
    expect(result.hasErrors).toBe(false);
    expect(outline(result.symbols)).toEqual([
      ['DefaultPort', 'DefaultPort', 'constant', 16, 16],
      ['modeDev', 'modeDev', 'constant', 19, 19],
      ['modeProd', 'modeProd', 'constant', 20, 20],
      ['ErrClosed', 'ErrClosed', 'variable', 23, 23],
      ['Server', 'Server', 'struct', 26, 29],
      ['Addr', 'Server.Addr', 'field', 27, 27],
      ['store', 'Server.store', 'field', 28, 28],
      ['Handler', 'Handler', 'interface', 32, 34],
      ['Serve', 'Handler.Serve', 'method', 33, 33],
      ['HandlerFunc', 'HandlerFunc', 'type', 36, 36],
      ['ID', 'ID', 'type', 39, 39],
      ['Alias', 'Alias', 'type', 40, 40],
      ['NewServer', 'NewServer', 'function', 44, 46],
      ['Start', 'Server.Start', 'method', 50, 54],
      ['Serve', 'HandlerFunc.Serve', 'method', 56, 56],
      ['Map', 'Map', 'function', 58, 60],
    ]);
  });

  it('extracts exactly the imports of a Go server package', async () => {
    const result = await parseFixture('go/server.go');
    expect(importLines(result)).toEqual([
      '5 import context',
      '6 import fmt',
      '7 import github.com/sirupsen/logrus',
      '8 import embed',
      '10 import example.com/app/internal/store',
      '13 import errors',
    ]);
  });

  it('gives signatures without bodies and docs without comment markers for a Go server package', async () => {
    const result = await parseFixture('go/server.go');
    expect(symbolNamed(result, 'Server.Start').signature).toBe('func (s *Server) Start(ctx context.Context) error');
    expect(symbolNamed(result, 'Server').signature).toBe('type Server struct');
    expect(symbolNamed(result, 'Handler').signature).toBe('type Handler interface');
    expect(symbolNamed(result, 'modeDev').signature).toBe('const modeDev = iota');
    expect(symbolNamed(result, 'ID').signature).toBe('type ID string');
    expect(symbolNamed(result, 'Map').signature).toBe('func Map[T any, U any](xs []T, f func(T) U) []U');
    expect(symbolNamed(result, 'Server.Start').doc).toBe('Start starts serving.\nIt blocks until ctx is done.');
    expect(symbolNamed(result, 'DefaultPort').doc).toBe('DefaultPort is used when no port is configured.');
    expect(symbolNamed(result, 'NewServer').doc).toBe('NewServer creates a server.');
    expect(symbolNamed(result, 'HandlerFunc.Serve').doc).toBe(null);
  });
});
