import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { cli, repoRoot } from '../helpers/cli.js';
import { DEMO_REPO } from '../helpers/engine.js';
import { useTempDir, writeTree } from '../helpers/temp-dir.js';

const run = promisify(execFile);
const tempDir = useTempDir();

// Each test starts several CLI processes: generous on a machine shared by many jobs.
describe('CLI --json contract', { timeout: 240_000 }, () => {
  it('index, search, source, outline, repos, importers and deps print the documented shapes', async () => {
    const dataDir = tempDir();
    const root = path.join(tempDir(), 'demo');
    writeTree(root, DEMO_REPO);

    const indexed = await cli(dataDir, 'index', root, '--json');
    expect(indexed.code).toBe(0);
    expect(indexed.json).toMatchObject({
      tenant: '00000000',
      repo: 'demo',
      root: expect.any(String),
      files: { total: 8, indexed: 8, unchanged: 0, removed: 0, skipped: 0 },
      symbols: expect.any(Number),
      symbolsIndexed: expect.any(Number),
      imports: expect.any(Number),
      bytesParsed: expect.any(Number),
      skipped: [],
      durationMs: expect.any(Number),
      phasesMs: { discover: expect.any(Number), parse: expect.any(Number), commit: expect.any(Number), vectors: expect.any(Number) },
      // Built by the first semantic search, not by `index` (unless --vectors now).
      vectors: null,
    });
    // Progress bars never reach a pipe.
    expect(indexed.stderr).toBe('');
    const semantic = await cli(dataDir, 'search', 'get user by id', '--mode', 'semantic', '--json', '--limit', '3');
    expect(semantic.json.results.map((r: { name: string }) => r.name)).toContain('getUserById');
    const eager = await cli(dataDir, 'index', root, '--vectors', 'now', '--json');
    expect(eager.json.vectors).toEqual({ mode: 'unchanged', count: indexed.json.symbols });

    const repos = await cli(dataDir, 'repos', '--json');
    expect(repos.json).toEqual({ tenant: '00000000', repos: [expect.objectContaining({ repo: 'demo', files: 8, indexedAt: expect.any(String) })] });
    // Every query answer says when the repository it answered from was indexed.
    const freshness = { demo: { indexedAt: repos.json.repos[0].indexedAt } };

    const search = await cli(dataDir, 'search', 'getUserById', '--json', '--limit', '3');
    expect(search.json).toMatchObject({ query: 'getUserById', mode: 'keyword', weakMatch: false, freshness });
    expect(Object.keys(search.json).sort()).toEqual(['freshness', 'mode', 'query', 'results', 'weakMatch']);
    expect(Object.keys(search.json.results[0]).sort()).toEqual(
      ['endLine', 'filePath', 'id', 'kind', 'language', 'local', 'matched', 'name', 'qualifiedName', 'repo', 'score', 'signature', 'similarity', 'startLine', 'summary', 'twins'].sort(),
    );
    expect(search.json.results[0]).toMatchObject({ matched: { fields: ['name', 'qualifiedName', 'path', 'signature', 'doc'], terms: ['get', 'user', 'id'] }, similarity: null, twins: [] });
    const id = search.json.results[0].id as string;

    const source = await cli(dataDir, 'source', id, '--json', '--context', '1');
    expect(source.json).toMatchObject({ id, name: 'getUserById', sourceStartLine: 5, sourceEndLine: 9, fileState: 'unchanged', freshness });

    const outline = await cli(dataDir, 'outline', 'demo', 'ts/src/services/user-service.ts', '--json');
    expect(outline.json).toMatchObject({ repo: 'demo', path: 'ts/src/services/user-service.ts', language: 'typescript', syntaxErrors: false, freshness });
    expect(outline.json.symbols[0]).toMatchObject({ name: 'UserService', kind: 'class', children: [{ name: 'getUserById' }, { name: 'deleteUser' }] });

    const importers = await cli(dataDir, 'importers', 'demo', 'ts/src/util/math.ts', '--json');
    expect(importers.json.importers.map((i: { path: string }) => i.path)).toEqual(['ts/src/index.ts', 'ts/src/services/user-service.ts']);
    expect(importers.json.freshness).toEqual(freshness);
    const deps = await cli(dataDir, 'deps', 'demo', 'py/pkg/cli.py', '--json');
    expect(deps.json.dependencies).toEqual([{ specifier: '.parser', kind: 'import', line: 1, names: ['parse_config'], resolvedPath: 'py/pkg/parser.py' }]);
    expect(deps.json.freshness).toEqual(freshness);

    // People read the index time too: in the outline's header, under search results, in the source's header.
    const outlineText = await cli(dataDir, 'outline', 'demo', 'ts/src/util/math.ts');
    expect(outlineText.stdout.split('\n')[0]).toMatch(/^demo:ts\/src\/util\/math\.ts \(typescript, 6 lines, indexed \d+ (s|min) ago\)$/);
    const searchText = await cli(dataDir, 'search', 'getUserById', '--limit', '1');
    expect(searchText.stdout).toMatch(/\nindexed \d+ (s|min) ago\n$/);
    const sourceText = await cli(dataDir, 'source', id);
    expect(sourceText.stdout.split('\n')[0]).toMatch(/^\/\/ method UserService\.getUserById — demo:ts\/src\/services\/user-service\.ts:6-8, indexed \d+ (s|min) ago$/);
  });

  it('reports failures as a JSON error on stdout with exit code 1, and as a sentence on stderr without --json', async () => {
    const dataDir = tempDir();
    // Read commands refuse a data folder without a control plane (PCTX_ERR_NOTHING_INDEXED): make one.
    expect((await cli(dataDir, 'tenants', 'list')).code).toBe(0);
    const json = await cli(dataDir, 'source', 'nope', '--json');
    expect(json.code).toBe(1);
    expect(json.json).toEqual({ error: { code: 'PCTX_ERR_SYMBOL_NOT_FOUND', message: 'Symbol "nope" does not exist', details: { symbolId: 'nope' } } });
    // Usage errors too: exit code 2, and the same document with --json (was a stack trace).
    const usage = await cli(dataDir, 'search', 'x', '--limit', '0', '--json');
    expect(usage.code).toBe(2);
    expect(usage.json.error).toMatchObject({ code: 'PCTX_ERR_INVALID_ARGUMENT', message: expect.stringContaining('--limit must be a whole number from 1 to 100') });
    const human = await cli(dataDir, 'outline', 'ghost', 'a.ts');
    expect(human.code).toBe(1);
    expect(human.stdout).toBe('');
    expect(human.stderr).toBe('error: Repository "ghost" is not indexed (PCTX_ERR_REPO_NOT_FOUND)\n');
  });
});

describe('CLI process lifetime', () => {
  it('exits with the exit code a supervised command reported, although that command never ends by itself', async () => {
    const script = path.join(repoRoot, 'test/cli/fixtures/lingering-command.ts');
    const result = await run(process.execPath, ['--import', 'tsx', script], { cwd: repoRoot }).catch((err: { code: number; stdout: string }) => err);
    expect('code' in result ? result.code : 0).toBe(3);
    expect(result.stdout).toMatch(/^done in \d+\n$/);
  });

  // Regression: indexing a tree with files in 14 languages printed its result at 6.4 s and
  // exited at 15.7 s, while V8 finished optimising grammar code no one would run again.
  it('index of a tree in every language exits once its result is printed', async () => {
    const dataDir = tempDir();
    const indexed = await cli(dataDir, 'index', path.join(repoRoot, 'test/fixtures/langs'), '--json');
    expect(indexed.code).toBe(0);
    expect(indexed.json.files.indexed).toBeGreaterThanOrEqual(14);
    const repos = await cli(dataDir, 'repos', '--json');
    expect(repos.json.repos[0]).toMatchObject({ repo: 'langs', files: indexed.json.files.total });
  });
});
