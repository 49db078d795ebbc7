import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { LOCAL_TENANT_ID } from '../../src/tenant/tenant-paths.js';
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

describe('data safety of index runs (issue 8)', () => {
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
});
