import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { describeSkips, discoverFiles, type DiscoveryOptions } from '../../src/engine/discovery.js';
import { useTempDir, writeTree } from '../helpers/temp-dir.js';

const tempDir = useTempDir();
const LANGUAGES: Record<string, string> = { '.ts': 'typescript', '.js': 'javascript', '.py': 'python' };
const languageOf = (relPath: string) => LANGUAGES[path.extname(relPath)] ?? null;

function tree(files: Record<string, string>): string {
  const root = path.join(tempDir(), 'repo');
  writeTree(root, files);
  return root;
}

async function discover(root: string, options: Partial<DiscoveryOptions> = {}) {
  return discoverFiles(root, { languageOf, ...options });
}

describe('discovery: what is skipped, and why', () => {
  it('reports every skipped folder once and every skipped source file, each with its reason', async () => {
    const root = tree({
      'src/a.ts': '',
      'node_modules/dep/index.js': '',
      'vendor/lib.py': '',
      'dist/app.js': '',
      'target/debug/x.js': '',
      'env/pyvenv.cfg': 'home = /usr/bin\n',
      'env/lib/site.py': '',
      '__pycache__/m.py': '',
      'coverage/report.js': '',
      'web/app.min.js': '',
      'web/notes.txt': '',
      'logs/debug.ts': '',
      'skip-me.ts': '',
      '.gitignore': 'logs/\nignored.ts\n*.txt\n',
      'ignored.ts': '',
      'README.md': '',
    });
    const result = await discover(root, { exclude: ['skip-me.ts'] });
    expect(result.files.map((f) => f.relPath)).toEqual(['src/a.ts']);
    expect(result.skipped).toEqual([
      { relPath: '__pycache__/', reason: 'cache' },
      { relPath: 'coverage/', reason: 'generated' },
      { relPath: 'dist/', reason: 'build_output' },
      { relPath: 'env/', reason: 'virtualenv' },
      { relPath: 'ignored.ts', reason: 'gitignored' },
      { relPath: 'logs/', reason: 'gitignored' },
      { relPath: 'node_modules/', reason: 'dependencies' },
      { relPath: 'skip-me.ts', reason: 'excluded' },
      { relPath: 'target/', reason: 'build_output' },
      { relPath: 'vendor/', reason: 'dependencies' },
      { relPath: 'web/app.min.js', reason: 'generated' },
    ]);
  });

  it("indexes a package named like a virtualenv or build folder: the standard library's venv, pypa's build", async () => {
    const root = tree({
      'venv/__init__.py': '',
      'venv/__main__.py': '',
      'build/__init__.py': '',
      'build/env.py': '',
      'out/report.js': '',
    });
    const result = await discover(root);
    expect(result.files.map((f) => f.relPath)).toEqual(['build/__init__.py', 'build/env.py', 'venv/__init__.py', 'venv/__main__.py']);
    expect(result.skipped).toEqual([{ relPath: 'out/', reason: 'build_output' }]);
  });

  it('recognises a virtualenv, a cache and an installed node_modules tree by their content whatever their names', async () => {
    const root = tree({
      'py311/pyvenv.cfg': 'home = /usr/bin\n',
      'py311/lib/site.py': '',
      'artifacts/CACHEDIR.TAG': 'Signature: 8a477f597d28d172789f06886806bc55\n',
      'artifacts/gen.js': '',
      'deps/.package-lock.json': '{}',
      'deps/left-pad/index.js': '',
      'app/main.py': '',
    });
    const result = await discover(root);
    expect(result.files.map((f) => f.relPath)).toEqual(['app/main.py']);
    expect(result.skipped).toEqual([
      { relPath: 'artifacts/', reason: 'cache' },
      { relPath: 'deps/', reason: 'dependencies' },
      { relPath: 'py311/', reason: 'virtualenv' },
    ]);
  });

  it('indexes folders and files named by include although built-in excludes and .gitignore skip them, with exclude still winning', async () => {
    const root = tree({
      'dist/index.js': '',
      'dist/internal/x.js': '',
      'generated/api.ts': '',
      '.gitignore': 'generated/\n',
      'node_modules/left-pad/index.js': '',
      'node_modules/other/index.js': '',
      'src/a.ts': '',
    });
    const result = await discover(root, { include: ['dist/', 'generated/', 'node_modules/left-pad/'], exclude: ['dist/internal/'] });
    expect(result.files.map((f) => f.relPath)).toEqual(['dist/index.js', 'generated/api.ts', 'node_modules/left-pad/index.js', 'src/a.ts']);
    expect(result.skipped).toEqual([{ relPath: 'dist/internal/', reason: 'excluded' }]);
  });

  it('never includes secrets or .git, whatever include says', async () => {
    const root = tree({ '.env': 'KEY=1\n', '.git/hooks/x.js': '', 'a.ts': '' });
    const result = await discover(root, { include: ['.env', '.git/'] });
    expect(result.files.map((f) => f.relPath)).toEqual(['a.ts']);
    expect(result.skipped).toEqual([{ relPath: '.env', reason: 'secret' }]);
  });

  it('says which skipped folders hold the source when nothing else does, and how to include them', async () => {
    const root = tree({ 'package.json': '{}', 'dist/index.js': '', 'dist/lib/util.js': '', 'node_modules/dep/index.js': '' });
    const result = await discover(root);
    expect(result.files).toEqual([]);
    expect(result.sourceInSkipped).toEqual([
      { relPath: 'dist/', reason: 'build_output', files: 2 },
      { relPath: 'node_modules/', reason: 'dependencies', files: 1 },
    ]);
    expect(describeSkips(result)).toEqual([
      'No source files were found outside skipped folders; source was found in dist/ (build output, 2 source files), node_modules/ (dependencies, 1 source file).',
      'To index it: purecontext-mcp index <dir> --include dist/ (index_folder: include: ["dist/"]).',
    ]);
  });

  it('says nothing about skipped folders when source was found elsewhere, or when they hold none', async () => {
    expect((await discover(tree({ 'a.ts': '', 'dist/b.js': '' }))).sourceInSkipped).toEqual([]);
    const empty = await discover(tree({ 'README.md': '', 'dist/notes.txt': '' }));
    expect(empty.sourceInSkipped).toEqual([]);
    expect(describeSkips(empty)).toEqual([]);
  });

  it('rejects an include that is not an array of strings with INVALID_ARGUMENT', async () => {
    const root = tree({ 'a.ts': '' });
    await expect(discover(root, { include: 'dist/' as unknown as string[] })).rejects.toMatchObject({ code: 'PCTX_ERR_INVALID_ARGUMENT' });
    expect(fs.existsSync(root)).toBe(true);
  });
});
