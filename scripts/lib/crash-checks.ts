/**
 * What the crash tests (scripts/crash-run.ts for the CLI, scripts/crash-server-run.ts for
 * the HTTP server) check after every kill and restart, and the two source versions their
 * index runs move a tenant between. One copy, so the CLI and the server are held to the
 * same promise (docs/reliability.md).
 */
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';

export interface TenantRow {
  id: string;
  name: string;
  status: string;
}

/**
 * The environment of the processes a crash run starts and kills: small embeddings, no
 * colours, temp files in `tmpDir` (checked for leftovers), and PCTX_CLI_SUPERVISED so
 * the spawned process is the one holding the databases. Supervised, `index` ran in a
 * grandchild that outlived the SIGKILL of its supervisor and committed during the next
 * attempt (found by the full run of 2026-12-02: a bystander "changed"); it now stops
 * with its supervisor, but gracefully (rolling back), which is not the crash under test.
 */
export function crashEnv(tmpDir: string, workers: number): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env, PCTX_WORKERS: String(workers), PCTX_EMBEDDING_DIMENSION: '64', NO_COLOR: '1', TMPDIR: tmpDir, PCTX_CLI_SUPERVISED: '1' };
  delete env.PCTX_TEST_PAUSE_AT;
  delete env.PCTX_DATA_DIR;
  return env;
}

/** Two versions of a source tree: an index run moves the tenant from one to the other. */
export function sourceVersion(version: 'a' | 'b'): Record<string, string> {
  const files: Record<string, string> = {};
  const count = version === 'a' ? 40 : 56;
  for (let i = 0; i < count; i++) {
    const name = `${version === 'a' ? 'alpha' : 'beta'}${i}`;
    files[`src/mod${i % 12}/file${i}.ts`] = [
      `import { helper${(i + 1) % count} } from '../mod${(i + 1) % 12}/file${(i + 1) % count}';`,
      `/** ${name}: computes something for version ${version}. */`,
      `export function ${name}(input: string): string {`,
      `  return helper${(i + 1) % count}(input) + ${JSON.stringify(name.repeat(20))};`,
      '}',
      `export function helper${i}(x: string): string { return x + ${i}; }`,
      `export class Service${i} { run(): number { return ${i}; } }`,
      '',
    ].join('\n');
  }
  return files;
}

/** Replaces `root` with version `version` of the source tree. */
export function writeVersion(root: string, version: 'a' | 'b'): void {
  fs.rmSync(root, { recursive: true, force: true });
  for (const [rel, content] of Object.entries(sourceVersion(version))) {
    const file = path.join(root, rel);
    fs.mkdirSync(path.dirname(file), { recursive: true });
    fs.writeFileSync(file, content);
  }
}

/** What a tenant holds, independent of ids, roots and times: repos, and each file's path and hash. */
export function fingerprint(dbFile: string): string {
  const db = new Database(dbFile, { readonly: true, fileMustExist: true });
  try {
    const rows = db.prepare('SELECT r.name AS repo, f.path, f.content_hash AS hash FROM files f JOIN repos r ON r.id = f.repo_id ORDER BY r.name, f.path').all() as { repo: string; path: string; hash: string }[];
    const symbols = db.prepare('SELECT count(*) FROM symbols').pluck().get() as number;
    return crypto.createHash('sha256').update(JSON.stringify([rows, symbols])).digest('hex').slice(0, 16);
  } finally {
    db.close();
  }
}

/** The fingerprint of a tenant's database, or null when it has none. */
export function tenantFingerprint(dataDir: string, tenantId: string): string | null {
  const db = path.join(dataDir, 'tenants', tenantId, 'index.db');
  return fs.existsSync(db) ? fingerprint(db) : null;
}

/**
 * The whole data folder against the promise, after the repairs of a start: every tenant
 * active and its database whole (`PRAGMA integrity_check`), folders and control-plane rows
 * in step (no orphan folder), and no leftover of a dead process: no `.staging-*`,
 * `.trash-*` or `.restore-*` entry, no temp file in a tenant folder or the data folder, no
 * upload staging or replaced upload (`uploads/.staging-*`, `uploads/.old-*`), no backup
 * work folder (`pctx-backup-*`, `pctx-http-backup-*`) in `tmpDir`; and every row has its
 * folder, except tenants in `mayLackFolder` (created but never used: the folder comes
 * with the first use).
 */
export function checkDataDir(dataDir: string, tmpDir: string, rows: readonly TenantRow[], fail: (what: string) => void, options: { mayLackFolder?: ReadonlySet<string> } = {}): void {
  for (const row of rows) if (row.status !== 'active') fail(`tenant ${row.name} is ${row.status}`);
  const root = path.join(dataDir, 'tenants');
  for (const name of fs.existsSync(root) ? fs.readdirSync(root) : []) {
    if (name.startsWith('.')) fail(`leftover ${name} in tenants/`);
    else if (!rows.some((r) => r.id === name)) fail(`orphan folder tenants/${name}`);
    else {
      for (const file of fs.readdirSync(path.join(root, name))) if (file.endsWith('.tmp') || file.includes('.tmp-')) fail(`temp file tenants/${name}/${file}`);
      const uploads = path.join(root, name, 'uploads');
      for (const entry of fs.existsSync(uploads) ? fs.readdirSync(uploads) : []) if (entry.startsWith('.')) fail(`upload leftover tenants/${name}/uploads/${entry}`);
      const dbFile = path.join(root, name, 'index.db');
      if (!fs.existsSync(dbFile)) {
        fail(`tenants/${name} has no index.db`);
        continue;
      }
      const db = new Database(dbFile, { readonly: true });
      try {
        const integrity = db.pragma('integrity_check', { simple: true });
        if (integrity !== 'ok') fail(`integrity_check of ${name}: ${String(integrity)}`);
      } finally {
        db.close();
      }
    }
  }
  // A tenant gets its folder on first use; the caller names those never used.
  for (const row of rows) if (!options.mayLackFolder?.has(row.id) && !fs.existsSync(path.join(root, row.id))) fail(`tenant ${row.name} (${row.id}) has a row but no folder`);
  for (const file of fs.readdirSync(dataDir)) if (file.endsWith('.tmp')) fail(`temp file ${file} in the data folder`);
  for (const file of fs.readdirSync(tmpDir)) if (file.startsWith('pctx-backup-') || file.startsWith('pctx-http-backup-')) fail(`backup work folder ${file} left in TMPDIR`);
}

export interface StateChange {
  /** The tenant the operation touched, or null (a backup touches none). */
  targetId: string | null;
  /** `delete`: the target ends whole (old) or gone with its folder (new). */
  kind: 'change' | 'delete';
  oldFp: string | null;
  newFp: string | null;
}

/**
 * Every tenant against its fingerprint before the operation: the target is its old state
 * or its new one (never a third), every other tenant unchanged and present. Returns which
 * state the target ended in.
 */
export function checkTenantStates(dataDir: string, before: ReadonlyMap<string, string | null>, rows: readonly TenantRow[], change: StateChange, fail: (what: string) => void): 'old' | 'new' {
  let outcome: 'old' | 'new' = 'old';
  for (const [id, fp] of before) {
    const row = rows.find((r) => r.id === id);
    const now = row ? tenantFingerprint(dataDir, id) : null;
    if (id === change.targetId) {
      if (change.kind === 'delete') {
        // Deleted whole, or still whole: row and data together.
        if (row && now !== change.oldFp) fail(`deleted tenant ${id} is neither whole nor gone (${now})`);
        if (!row && fs.existsSync(path.join(dataDir, 'tenants', id))) fail(`deleted tenant ${id} left its folder`);
        outcome = row ? 'old' : 'new';
      } else if (now === change.newFp) outcome = 'new';
      else if (now !== change.oldFp) fail(`tenant ${id} is neither its old state ${change.oldFp} nor its new ${change.newFp}: ${now}`);
      continue;
    }
    if (!row) fail(`tenant ${id} was lost`);
    else if (now !== fp) fail(`tenant ${id} changed though the operation did not touch it (${fp} → ${now})`);
  }
  return outcome;
}
