import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

const owned = new Set<string>();
let hooked = false;

function removeAll(): void {
  for (const dir of owned) fs.rmSync(dir, { recursive: true, force: true });
  owned.clear();
}

/**
 * A fresh folder under the system temp dir, removed by `remove()` or, at the latest,
 * when the process exits (also on Ctrl-C), so an interrupted benchmark leaves nothing.
 */
export function tempDir(prefix: string): { path: string; remove: () => void } {
  if (!hooked) {
    hooked = true;
    process.on('exit', removeAll);
    for (const signal of ['SIGINT', 'SIGTERM'] as const) {
      process.once(signal, () => {
        removeAll();
        process.exit(130);
      });
    }
  }
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), `pctx-bench-${prefix}-`));
  owned.add(dir);
  return {
    path: dir,
    remove: () => {
      fs.rmSync(dir, { recursive: true, force: true });
      owned.delete(dir);
    },
  };
}

/** Bytes of every file under `dir`. */
export function folderBytes(dir: string): number {
  let total = 0;
  for (const entry of fs.readdirSync(dir, { withFileTypes: true, recursive: true })) {
    if (entry.isFile()) total += fs.statSync(path.join(entry.parentPath ?? (entry as unknown as { path: string }).path, entry.name)).size;
  }
  return total;
}
