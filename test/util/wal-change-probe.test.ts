import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { WalChangeProbe } from '../../src/util/wal-change-probe.js';
import { useTempDir } from '../helpers/temp-dir.js';

const tempDir = useTempDir();

function walDatabase(): { file: string; db: Database.Database } {
  const file = path.join(tempDir(), 'probe.db');
  const db = new Database(file);
  db.pragma('journal_mode = WAL');
  db.exec('CREATE TABLE t (x INTEGER)');
  return { file, db };
}

/** Open descriptors of this process naming `file` (also once it was deleted: SQLite removes the -shm at its last close). */
function descriptorsOf(file: string): number {
  return fs.readdirSync('/proc/self/fd').filter((fd) => {
    try {
      return fs.readlinkSync(`/proc/self/fd/${fd}`).replace(/ \(deleted\)$/, '') === file;
    } catch {
      return false;
    }
  }).length;
}

describe('WalChangeProbe', () => {
  it('keeps its version across reads and moves it with every commit of another connection', () => {
    const { file, db } = walDatabase();
    const other = new Database(file);
    const probe = new WalChangeProbe(file);
    try {
      const v0 = probe.version();
      for (let i = 0; i < 3; i++) other.prepare('SELECT count(*) FROM t').get();
      expect(probe.version()).toBe(v0);
      other.prepare('INSERT INTO t VALUES (1)').run();
      const v1 = probe.version();
      expect(v1).not.toBe(v0);
      expect(probe.version()).toBe(v1);
      db.prepare('DELETE FROM t').run();
      expect(probe.version()).not.toBe(v1);
    } finally {
      other.close();
      db.close();
      probe.close();
    }
  });

  it('sees a commit made by another process', () => {
    const { file, db } = walDatabase();
    const probe = new WalChangeProbe(file);
    try {
      const before = probe.version();
      const script = `const D = require('better-sqlite3'); const db = new D(${JSON.stringify(file)}); db.prepare('INSERT INTO t VALUES (7)').run(); db.close();`;
      const child = spawnSync(process.execPath, ['-e', script], { cwd: process.cwd(), encoding: 'utf8' });
      expect(child.status, child.stderr).toBe(0);
      expect(probe.version()).not.toBe(before);
      expect(db.prepare('SELECT x FROM t').pluck().get()).toBe(7);
    } finally {
      db.close();
      probe.close();
    }
  });

  it('sees a write after a checkpoint has reset the write-ahead log', () => {
    const { file, db } = walDatabase();
    const probe = new WalChangeProbe(file);
    try {
      db.prepare('INSERT INTO t VALUES (1)').run();
      db.pragma('wal_checkpoint(TRUNCATE)');
      const afterCheckpoint = probe.version();
      db.prepare('INSERT INTO t VALUES (2)').run();
      expect(probe.version()).not.toBe(afterCheckpoint);
    } finally {
      db.close();
      probe.close();
    }
  });

  it('gives a new version on every call while it cannot read the header', () => {
    const file = path.join(tempDir(), 'rollback.db');
    const db = new Database(file); // rollback journal: no -shm file at all
    db.exec('CREATE TABLE t (x INTEGER)');
    const probe = new WalChangeProbe(file);
    try {
      const seen = new Set([probe.version(), probe.version(), probe.version()]);
      expect(seen.size).toBe(3);
    } finally {
      db.close();
      probe.close();
    }
  });

  it('shares one descriptor among the probes of a database and closes it with the last one', () => {
    const { file, db } = walDatabase();
    const shm = `${fs.realpathSync(file)}-shm`;
    const a = new WalChangeProbe(file);
    const b = new WalChangeProbe(file);
    const sqliteOwn = descriptorsOf(shm);
    a.version();
    b.version();
    expect(descriptorsOf(shm)).toBe(sqliteOwn + 1);
    db.close();
    a.close();
    expect(descriptorsOf(shm)).toBe(1);
    // b still reads through the shared descriptor after a closed.
    expect(b.version()).toBe(b.version());
    b.close();
    b.close();
    expect(descriptorsOf(shm)).toBe(0);
  });
});
