import { describe, expect, it } from 'vitest';
import { importLines, outline, parseFixture, symbolNamed } from './parse-helpers.js';

describe('JavaScript, TypeScript and TSX extraction', () => {
  it('extracts exactly the declarations of a TypeScript service module', async () => {
    const result = await parseFixture('typescript/service.ts');
    expect(result.hasErrors).toBe(false);
    expect(outline(result.symbols)).toEqual([
      ['MAX_RETRIES', 'MAX_RETRIES', 'constant', 10, 10],
      ['counter', 'counter', 'variable', 11, 11],
      ['add', 'add', 'function', 17, 20],
      ['formatUser', 'formatUser', 'function', 23, 23],
      ['legacy', 'legacy', 'function', 25, 27],
      ['Repository', 'Repository', 'interface', 29, 32],
      ['find', 'Repository.find', 'method', 30, 30],
      ['size', 'Repository.size', 'property', 31, 31],
      ['UserId', 'UserId', 'type', 34, 34],
      ['Color', 'Color', 'enum', 36, 39],
      ['Red', 'Color.Red', 'enum_member', 37, 37],
      ['Green', 'Color.Green', 'enum_member', 38, 38],
      ['Utils', 'Utils', 'namespace', 41, 45],
      ['slugify', 'Utils.slugify', 'function', 42, 44],
      ['UserService', 'UserService', 'class', 48, 69],
      ['cache', 'UserService.cache', 'field', 50, 50],
      ['instances', 'UserService.instances', 'field', 51, 51],
      ['size', 'UserService.size', 'field', 52, 52],
      ['constructor', 'UserService.constructor', 'constructor', 54, 54],
      ['find', 'UserService.find', 'method', 57, 60],
      ['count', 'UserService.count', 'property', 62, 64],
      ['create', 'UserService.create', 'method', 66, 68],
      ['Base', 'Base', 'class', 71, 73],
      ['run', 'Base.run', 'method', 72, 72],
      ['express', 'express', 'module', 75, 79],
      ['Request', 'express.Request', 'interface', 76, 78],
      ['user', 'express.Request.user', 'property', 77, 77],
    ]);
  });

  it('extracts exactly the imports of a TypeScript service module', async () => {
    const result = await parseFixture('typescript/service.ts');
    expect(importLines(result)).toEqual([
      '1 import node:fs/promises [readFile]',
      '2 import ./models.js [User, Role]',
      '3 import path [*]',
      '4 import ../lib/helper [default, helper]',
      '5 import ./polyfill',
      '6 export ./dates.js [formatDate]',
      '7 export ./reexported [*]',
      '26 require ./legacy-impl',
      '58 dynamic ./lazy.js',
    ]);
  });

  it('gives signatures without bodies and docs without comment markers for a TypeScript service module', async () => {
    const result = await parseFixture('typescript/service.ts');
    expect(symbolNamed(result, 'add').signature).toBe('function add(a: number, b: number): number');
    expect(symbolNamed(result, 'formatUser').signature).toBe('const formatUser = (user: User): string =>');
    expect(symbolNamed(result, 'MAX_RETRIES').signature).toBe('const MAX_RETRIES = 3');
    expect(symbolNamed(result, 'UserService').signature).toBe('class UserService implements Repository<User>');
    expect(symbolNamed(result, 'UserService.find').signature).toBe('async find(id: string): Promise<User | null>');
    expect(symbolNamed(result, 'UserId').signature).toBe('type UserId = string');
    expect(symbolNamed(result, 'add').doc).toBe('Adds two numbers.\n@param a first');
    expect(symbolNamed(result, 'formatUser').doc).toBe('Formats a user for display.');
    expect(symbolNamed(result, 'UserService').doc).toBe('Loads and caches users.');
    expect(symbolNamed(result, 'UserService.find').doc).toBe('Finds a user by id.');
    expect(symbolNamed(result, 'counter').doc).toBe(null);
    expect(symbolNamed(result, 'UserService.cache').doc).toBe(null);
  });

  it('extracts exactly the declarations of a CommonJS and ESM JavaScript server', async () => {
    const result = await parseFixture('javascript/server.js');
    expect(result.hasErrors).toBe(false);
    expect(outline(result.symbols)).toEqual([
      ['DEFAULT_PORT', 'DEFAULT_PORT', 'constant', 6, 6],
      ['instances', 'instances', 'variable', 7, 7],
      ['start', 'start', 'function', 12, 15],
      ['handle', 'handle', 'function', 18, 22],
      ['Router', 'Router', 'class', 24, 41],
      ['#routes', 'Router.#routes', 'field', 25, 25],
      ['count', 'Router.count', 'field', 26, 26],
      ['constructor', 'Router.constructor', 'constructor', 28, 31],
      ['add', 'Router.add', 'method', 34, 36],
      ['entries', 'Router.entries', 'method', 38, 40],
      ['idGenerator', 'idGenerator', 'function', 43, 46],
    ]);
  });

  it('extracts exactly the imports of a CommonJS and ESM JavaScript server', async () => {
    const result = await parseFixture('javascript/server.js');
    expect(importLines(result)).toEqual([
      '2 require express',
      '3 require node:path',
      '4 import ./config.mjs [default]',
      '20 dynamic ./plugins/fixed.js',
    ]);
  });

  it('gives signatures without bodies and docs without comment markers for a CommonJS and ESM JavaScript server', async () => {
    const result = await parseFixture('javascript/server.js');
    expect(symbolNamed(result, 'start').signature).toBe('function start(port = DEFAULT_PORT)');
    expect(symbolNamed(result, 'handle').signature).toBe('const handle = async (req, res) =>');
    expect(symbolNamed(result, 'Router.entries').signature).toBe('*entries()');
    expect(symbolNamed(result, 'idGenerator').signature).toBe('function* idGenerator()');
    expect(symbolNamed(result, 'start').doc).toBe('Starts the HTTP server.');
    expect(symbolNamed(result, 'handle').doc).toBe('Handles a request.');
    expect(symbolNamed(result, 'Router.add').doc).toBe('Registers a route.');
  });

  it('extracts exactly the declarations of a TSX component file', async () => {
    const result = await parseFixture('tsx/App.tsx');
    expect(result.hasErrors).toBe(false);
    expect(outline(result.symbols)).toEqual([
      ['AppProps', 'AppProps', 'interface', 4, 6],
      ['title', 'AppProps.title', 'property', 5, 5],
      ['App', 'App', 'function', 9, 12],
      ['Footer', 'Footer', 'function', 14, 14],
      ['Legacy', 'Legacy', 'class', 16, 20],
      ['render', 'Legacy.render', 'method', 17, 19],
    ]);
  });

  it('extracts exactly the imports of a TSX component file', async () => {
    const result = await parseFixture('tsx/App.tsx');
    expect(importLines(result)).toEqual([
      '1 import react [default, useState]',
      '2 import ./components/Button [Button]',
    ]);
  });

  it('gives signatures without bodies and docs without comment markers for a TSX component file', async () => {
    const result = await parseFixture('tsx/App.tsx');
    expect(symbolNamed(result, 'App').signature).toBe('function App({ title }: AppProps): JSX.Element');
    expect(symbolNamed(result, 'Footer').signature).toBe('const Footer: React.FC = () =>');
    expect(symbolNamed(result, 'App').doc).toBe('The root component.');
  });
});
