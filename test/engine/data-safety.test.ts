import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import Database from 'better-sqlite3';
import { retryWhileLocked } from '../../src/engine/indexer/write-lock.js';
import type { IndexPhase } from '../../src/engine/indexer/index-run.js';
import { LOCAL_TENANT_ID, tenantPaths } from '../../src/tenant/tenant-paths.js';
import { runVectorBuild } from '../../src/tenant/vector-index.js';
import { useEngines } from '../helpers/engine.js';
import { useTempDir, writeTree } from '../helpers/temp-dir.js';

const tempDir = useTempDir();
const newEngine = useEngines();
const T = LOCAL_TENANT_ID;
const posix = process.platform !== 'win32';

function mkfifo(file: string): void {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  execFileSync('mkfifo', [file]);
}

describe('data safety of index runs (issue 8)', { timeout: 120_000 }, () => {
  it.runIf(posix)('a FIFO in the tree is skipped, never opened (issue 8 #4)', async () => {
    const root = path.join(tempDir(), 'fifos');
    writeTree(root, { 'main.py': 'def main():\n    pass\n', '.git/HEAD': 'ref: refs/heads/main\n' });
    // Each of these was opened with a blocking read: go.mod by the Go resolver,
    // .git/info/exclude and .gitignore by discovery, a source file by the parse worker.
    mkfifo(path.join(root, 'go.mod'));
    mkfifo(path.join(root, '.git', 'info', 'exclude'));
    mkfifo(path.join(root, 'pkg', '.gitignore'));
    mkfifo(path.join(root, 'pipe.py'));
    const engine = newEngine(tempDir());
    const r = await engine.indexFolder(T, { path: root });
    expect(r.files.indexed).toBe(1);
    expect(r.skipped).toContainEqual({ path: '.git/info/exclude', reason: 'unreadable', detail: 'not a regular file' });
  });

  it.runIf(posix)('a file swapped for a FIFO between discovery and parsing is skipped, never opened (issue 8 #4)', async () => {
    const root = path.join(tempDir(), 'swap');
    writeTree(root, { 'a.py': 'def a():\n    pass\n', 'b.py': 'def b():\n    pass\n' });
    const engine = newEngine(tempDir());
    let swapped = false;
    const r = await engine.indexFolder(
      T,
      { path: root },
      {
        onProgress: (p) => {
          // Discovery is over (it saw a regular file); the workers have not read it yet.
          if (p.phase === 'parsing' && !swapped) {
            swapped = true;
            fs.rmSync(path.join(root, 'b.py'));
            mkfifo(path.join(root, 'b.py'));
          }
        },
      },
    );
    expect(swapped).toBe(true);
    expect(r.files.indexed).toBe(1);
    expect(r.skipped).toContainEqual({ path: 'b.py', reason: 'unreadable', detail: 'not a regular file' });
  });

  it.runIf(posix)('a hard link or copy of a secret under a source name is skipped as secret, by content (issue 8 #7)', async () => {
    const root = path.join(tempDir(), 'secrets');
    writeTree(root, {
      '.env': '# prod\nAPI_KEY=abc123def456\nDB_PASSWORD="hunter2"\nexport REGION=eu-west-1\n',
      'keys/deploy.ts': 'export const key = `-----BEGIN OPENSSH PRIVATE KEY-----\nb3BlbnNzaC1rZXktdjEAAAAABG5vbmUAAAAEbm9uZQ\n-----END OPENSSH PRIVATE KEY-----`;\n',
      'cloud.py': 'ACCESS = "AKIAZ7QWERTYUIOPASDF"\n',
      'ci.rb': 'TOKEN = "ghp_' + 'a1B2c3D4e5F6g7H8i9J0k1L2m3N4o5P6q7R8"\n',
      'settings.py': 'DEBUG = True\nSECRET_KEY = os.environ["SECRET_KEY"]\n',
      'model.ts': '/** Holds a password hash, never the password. */\nexport class Account { passwordHash = ""; }\n',
    });
    fs.linkSync(path.join(root, '.env'), path.join(root, 'hard_env.py'));
    fs.copyFileSync(path.join(root, '.env'), path.join(root, 'config.py'));
    const engine = newEngine(tempDir());
    const r = await engine.indexFolder(T, { path: root });
    const secrets = r.skipped.filter((s) => s.reason === 'secret').map((s) => `${s.path}: ${s.detail ?? 'by name'}`);
    expect(secrets.sort()).toEqual([
      '.env: by name',
      'ci.rb: GitHub token',
      'cloud.py: AWS access key',
      'config.py: KEY=value environment file',
      'hard_env.py: KEY=value environment file',
      'keys/deploy.ts: private key block',
    ]);
    // Code that merely talks about secrets is indexed.
    expect(r.files.indexed).toBe(2);
    const content = await engine.getFileContent(T, { repo: 'secrets', path: 'settings.py' });
    expect(content.content).toContain('os.environ');
    await expect(engine.getFileContent(T, { repo: 'secrets', path: 'hard_env.py' })).rejects.toMatchObject({ code: 'PCTX_ERR_FILE_NOT_FOUND' });
  });

  it('a file that became a secret since the last run is dropped from the index (issue 8 #7)', async () => {
    const root = path.join(tempDir(), 'became');
    writeTree(root, { 'conf.py': 'LEVEL = 1\n' });
    const engine = newEngine(tempDir());
    await engine.indexFolder(T, { path: root });
    fs.writeFileSync(path.join(root, 'conf.py'), 'STRIPE=sk_live_' + '4eC39HqLyjWDarjtT1zdp7dc\n');
    const r = await engine.indexFolder(T, { path: root });
    expect(r.files).toMatchObject({ total: 0, removed: 1 });
    expect(r.skipped).toEqual([{ path: 'conf.py', reason: 'secret', detail: 'Stripe key' }]);
  });

  it('UTF-16LE and UTF-16BE files with a BOM are decoded, not read as UTF-8 garbage (issue 8 #16)', async () => {
    const root = path.join(tempDir(), 'utf16');
    const source = 'def grüße():\n    """Greets."""\n    return 1\n';
    const le = Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(source, 'utf16le')]);
    const be = Buffer.from(le);
    for (let i = 0; i + 1 < be.length; i += 2) [be[i], be[i + 1]] = [le[i + 1]!, le[i]!];
    writeTree(root, { 'le.py': le, 'be.py': be, 'bom8.py': Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(source)]) });
    const engine = newEngine(tempDir());
    const r = await engine.indexFolder(T, { path: root });
    expect(r.files.indexed).toBe(3);
    for (const file of ['le.py', 'be.py', 'bom8.py']) {
      const outline = await engine.getFileOutline(T, { repo: 'utf16', path: file });
      expect(outline.symbols.map((s) => s.name)).toEqual(['grüße']);
      expect((await engine.getFileContent(T, { repo: 'utf16', path: file })).content).toBe(source.trimEnd());
    }
  });

  it.runIf(posix)('a file named back\\slash.py is reachable by outline, content, importers and deps (issue 8 #16)', async () => {
    const root = path.join(tempDir(), 'names');
    writeTree(root, { 'back\\slash.py': 'def odd():\n    pass\n', 'back/slash.py': 'def even():\n    pass\n' });
    const engine = newEngine(tempDir());
    await engine.indexFolder(T, { path: root });
    expect((await engine.getFileOutline(T, { repo: 'names', path: 'back\\slash.py' })).symbols[0]!.name).toBe('odd');
    expect((await engine.getFileOutline(T, { repo: 'names', path: 'back/slash.py' })).symbols[0]!.name).toBe('even');
    expect((await engine.getFileContent(T, { repo: 'names', path: 'back\\slash.py' })).path).toBe('back\\slash.py');
    expect((await engine.findImporters(T, { repo: 'names', path: 'back\\slash.py' })).importers).toEqual([]);
    expect((await engine.getDependencies(T, { repo: 'names', path: './back\\slash.py' })).path).toBe('back\\slash.py');
  });

  it('from . import x and from pkg import module resolve to the module files, not folders (issue 8 #19)', async () => {
    const root = path.join(tempDir(), 'py');
    writeTree(root, {
      'json/__init__.py': 'from . import scanner\nfrom .decoder import JSONDecoder\n',
      'json/scanner.py': 'def make_scanner():\n    pass\n',
      'json/decoder.py': 'class JSONDecoder:\n    pass\n',
      'app.py': 'from json import scanner\nfrom json import loads\n',
    });
    const engine = newEngine(tempDir());
    await engine.indexFolder(T, { path: root });
    const importers = await engine.findImporters(T, { repo: 'py', path: 'json/scanner.py' });
    expect(importers.importers.map((i) => `${i.path}:${i.line}`)).toEqual(['app.py:1', 'json/__init__.py:1']);
    const deps = await engine.getDependencies(T, { repo: 'py', path: 'app.py' });
    expect(deps.dependencies.map((d) => d.resolvedPath)).toEqual(['json/scanner.py', 'json/__init__.py']);
  });

  it('get_file_content past the last line is a clear error, not an inconsistent range (issue 8 #19)', async () => {
    const root = path.join(tempDir(), 'lines');
    writeTree(root, { 'three.py': 'a = 1\nb = 2\nc = 3\n', 'empty.py': '' });
    const engine = newEngine(tempDir());
    await engine.indexFolder(T, { path: root });
    await expect(engine.getFileContent(T, { repo: 'lines', path: 'three.py', startLine: 4 })).rejects.toMatchObject({
      code: 'PCTX_ERR_INVALID_ARGUMENT',
      details: { option: 'startLine' },
    });
    expect(await engine.getFileContent(T, { repo: 'lines', path: 'three.py', startLine: 3, endLine: 99 })).toMatchObject({ startLine: 3, endLine: 3, content: 'c = 3' });
    expect(await engine.getFileContent(T, { repo: 'lines', path: 'empty.py' })).toMatchObject({ startLine: 1, endLine: 0, totalLines: 0, content: '' });
  });

  it('an index run waits, saying so, while another process indexes the tenant, instead of failing with "database is locked" (issue 8 #12)', async () => {
    const dataDir = tempDir();
    const root = path.join(tempDir(), 'wait');
    writeTree(root, { 'a.py': 'def a():\n    pass\n' });
    const engine = newEngine(dataDir);
    await engine.indexFolder(T, { path: root });
    fs.writeFileSync(path.join(root, 'b.py'), 'def b():\n    pass\n');

    // What another process's run does: hold the tenant's write lock for its whole run.
    const other = new Database(tenantPaths(dataDir, T).db);
    try {
      other.exec('BEGIN IMMEDIATE');
      const phases: IndexPhase[] = [];
      const r = await engine.indexFolder(
        T,
        { path: root },
        {
          onProgress: (p) => {
            phases.push(p.phase);
            if (p.phase === 'waiting') other.exec('COMMIT');
          },
        },
      );
      expect(phases.slice(0, 2)).toEqual(['discovering', 'waiting']);
      expect(r.files).toMatchObject({ indexed: 1, unchanged: 1 });

      // Giving up while waiting is a clean, coded failure that changes nothing.
      other.exec('BEGIN IMMEDIATE');
      const abort = new AbortController();
      fs.writeFileSync(path.join(root, 'c.py'), 'def c():\n    pass\n');
      const waiting = engine.indexFolder(T, { path: root }, { signal: abort.signal, onProgress: (p) => p.phase === 'waiting' && abort.abort() });
      await expect(waiting).rejects.toMatchObject({ code: 'PCTX_ERR_INDEX_FAILED', details: { reason: expect.stringContaining('aborted while waiting') } });
      other.exec('COMMIT');
    } finally {
      other.close();
    }
    expect((await engine.listRepos(T)).repos[0]).toMatchObject({ files: 2 });
  });

  it('a vector build that meets another process holding the write lock neither fails nor waits: its file serves, and the next build records it (issue 8 #19; since the soak finding, no busy_timeout wait)', async () => {
    const dataDir = tempDir();
    const root = path.join(tempDir(), 'vectors');
    writeTree(root, { 'a.py': 'def alpha():\n    pass\n' });
    const engine = newEngine(dataDir);
    // Vectors made and built once, then the file removed: the build below must rebuild it.
    await engine.indexFolder(T, { path: root }, { vectors: 'wait' });
    const paths = tenantPaths(dataDir, T);
    fs.rmSync(paths.vectors);
    const other = new Database(paths.db);
    try {
      other.exec('BEGIN IMMEDIATE');
      const built = await retryWhileLocked(() => runVectorBuild(paths), { pollMs: 1, onRetry: () => expect.unreachable('a build no longer fails on the lock') });
      // Done while the lock is still held: the file is in place, its state not recorded.
      expect(other.inTransaction).toBe(true);
      expect(built).toMatchObject({ mode: 'rebuilt', recorded: false, state: { live: 1 } });
      expect(fs.existsSync(paths.vectors)).toBe(true);
      other.exec('COMMIT');
      // The next build records a file (this one, when its SHA-256 is the one recorded before; else a new one).
      expect(await runVectorBuild(paths)).toMatchObject({ recorded: true, state: { live: 1 } });
    } finally {
      if (other.inTransaction) other.exec('ROLLBACK');
      other.close();
    }
  });

  it('a vector build never waits out busy_timeout holding the build slot while an index run holds the write lock, so other tenants\' builds and hybrid searches do not queue behind it (soak finding: searches waited more than 300 s)', async () => {
    const dataDir = tempDir();
    const engine = newEngine(dataDir);
    const tenants = ['0a0a0a0a', '0b0b0b0b'];
    for (const [i, id] of tenants.entries()) {
      const root = path.join(tempDir(), `t${i}`);
      writeTree(root, { 'a.py': `def alpha${i}():\n    pass\n` });
      await engine.indexFolder(id, { path: root }, { vectors: 'wait' });
      fs.rmSync(tenantPaths(dataDir, id).vectors);
    }
    // What an index run of tenant A does for its whole run: hold A's write lock.
    const runA = new Database(tenantPaths(dataDir, tenants[0]!).db);
    try {
      runA.exec('BEGIN IMMEDIATE');
      // A's build and then B's, through the one build slot: both done while A's run goes on.
      const builds = await Promise.all(tenants.map((id) => runVectorBuild(tenantPaths(dataDir, id))));
      expect(runA.inTransaction).toBe(true);
      expect(builds.map((b) => [b.mode, b.recorded])).toEqual([
        ['rebuilt', false],
        ['rebuilt', true],
      ]);
      const hybrid = await engine.searchSymbols(tenants[1]!, { query: 'alpha1', mode: 'hybrid' });
      expect(hybrid.results.map((r) => r.name)).toContain('alpha1');
    } finally {
      runA.exec('ROLLBACK');
      runA.close();
    }
  });
});
