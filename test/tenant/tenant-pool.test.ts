import fs from 'node:fs';
import { describe, expect, it } from 'vitest';
import { PctxError } from '../../src/errors.js';
import { TenantDbPool, type TenantLease } from '../../src/tenant/tenant-pool.js';
import { useTempDir } from '../helpers/temp-dir.js';

const tempDir = useTempDir();
const tenantId = (i: number) => i.toString(16).padStart(8, '0');
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('TenantDbPool', () => {
  it('opens a tenant database on a miss and reuses it on a hit', async () => {
    const pool = new TenantDbPool({ dataDir: tempDir(), maxHandles: 4 });
    const a = pool.acquire('0000000a');
    expect(a.db.pragma('journal_mode', { simple: true })).toBe('wal');
    expect(a.db.pragma('cache_size', { simple: true })).toBe(-1024);
    a.release();
    const b = pool.acquire('0000000a');
    b.release();
    const m = pool.metrics();
    expect([m.hits, m.misses, m.open]).toEqual([1, 1, 1]);
    await pool.close();
  });

  it('never closes a leased handle and never exceeds its cap plus leased handles, with 50 tenants on 4 handles', async () => {
    const pool = new TenantDbPool({ dataDir: tempDir(), maxHandles: 4 });
    const held = new Set<TenantLease>();
    let maxOpenSeen = 0;
    const check = () => {
      const m = pool.metrics();
      const leasedHandles = new Set([...held].map((l) => l.tenantId)).size;
      expect(m.open).toBeLessThanOrEqual(pool.maxHandles + leasedHandles);
      maxOpenSeen = Math.max(maxOpenSeen, m.open);
    };
    let seed = 7;
    const rand = (n: number) => ((seed = (seed * 1103515245 + 12345) & 0x7fffffff) % n);
    const worker = async (w: number) => {
      for (let i = 0; i < 60; i++) {
        const lease = pool.acquire(tenantId(rand(50)));
        held.add(lease);
        check();
        lease.db.prepare('INSERT OR REPLACE INTO meta (key, value) VALUES (?, ?)').run(`w${w}`, String(i));
        await sleep(rand(3));
        // The handle must still be open and usable after other tasks churned the LRU.
        expect(lease.db.open).toBe(true);
        expect(lease.db.prepare('SELECT value FROM meta WHERE key = ?').pluck().get(`w${w}`)).toBe(String(i));
        held.delete(lease);
        lease.release();
        check();
      }
    };
    await Promise.all(Array.from({ length: 12 }, (_, w) => worker(w)));
    const m = pool.metrics();
    expect(m.leased).toBe(0);
    expect(m.open).toBeLessThanOrEqual(4);
    expect(m.evictions).toBeGreaterThan(0);
    expect(maxOpenSeen).toBeGreaterThan(4);
    await pool.close();
  });

  it('brings back an evicted handle that is still leased instead of opening a second one', async () => {
    const pool = new TenantDbPool({ dataDir: tempDir(), maxHandles: 1 });
    const first = pool.acquire(tenantId(1));
    const db = first.db;
    pool.acquire(tenantId(2)).release(); // evicts tenant 1 while leased
    expect(pool.metrics().draining).toBe(1);
    const again = pool.acquire(tenantId(1));
    expect(again.db).toBe(db);
    expect(pool.metrics().misses).toBe(2);
    first.release();
    again.release();
    expect(db.open).toBe(true);
    await pool.close();
    expect(db.open).toBe(false);
  });

  it('keeps frequently used tenants open through a scan of one-off tenants (TinyLFU admission)', async () => {
    const pool = new TenantDbPool({ dataDir: tempDir(), maxHandles: 8, idleTtlMs: 0 });
    const popular = [1, 2, 3, 4, 5, 6, 7].map(tenantId);
    for (let round = 0; round < 4; round++) for (const id of popular) pool.acquire(id).release();
    const before = pool.metrics();
    // 40 tenants asked for once each: plain LRU would have closed every popular handle.
    for (let i = 100; i < 140; i++) pool.acquire(tenantId(i)).release();
    const scanned = pool.metrics();
    expect(scanned.misses - before.misses).toBe(40);
    expect(scanned.open).toBeLessThanOrEqual(8);
    for (const id of popular) pool.acquire(id).release();
    const after = pool.metrics();
    expect(after.misses).toBe(scanned.misses);
    expect(after.hits - scanned.hits).toBe(popular.length);
    await pool.close();
  });

  it('serves a burst of requests for a new tenant from one open, even when the others are more popular', async () => {
    const pool = new TenantDbPool({ dataDir: tempDir(), maxHandles: 8, idleTtlMs: 0 });
    for (let round = 0; round < 4; round++) for (let i = 1; i <= 8; i++) pool.acquire(tenantId(i)).release();
    const before = pool.metrics();
    for (let n = 0; n < 10; n++) pool.acquire(tenantId(200)).release();
    const after = pool.metrics();
    expect(after.misses - before.misses).toBe(1);
    expect(after.hits - before.hits).toBe(9);
    await pool.close();
  });

  it('closes idle handles after the TTL, using the injected clock', async () => {
    // lru-cache treats a start time of 0 as "no TTL", so the injected clock starts above it.
    let now = 1_000;
    const pool = new TenantDbPool({ dataDir: tempDir(), maxHandles: 8, idleTtlMs: 1000, now: () => now });
    const lease = pool.acquire(tenantId(3));
    const db = lease.db;
    lease.release();
    now = 5_000;
    // A later acquire of the same tenant finds the entry expired and opens a new handle.
    const fresh = pool.acquire(tenantId(3));
    expect(fresh.db).not.toBe(db);
    expect(db.open).toBe(false);
    fresh.release();
    await pool.close();
  });

  it('waits in block() for a lease held past the idle TTL', async () => {
    let now = 1_000;
    const pool = new TenantDbPool({ dataDir: tempDir(), maxHandles: 8, idleTtlMs: 1000, now: () => now });
    const lease = pool.acquire(tenantId(4));
    now = 10_000; // a long index run: the entry is stale, its lease is not
    let blocked = false;
    const done = pool.block(tenantId(4), new PctxError('TENANT_DELETING', { tenantId: tenantId(4) })).then(() => (blocked = true));
    await sleep(5);
    expect(blocked).toBe(false);
    expect(lease.db.open).toBe(true);
    const db = lease.db;
    lease.release();
    await done;
    expect(db.open).toBe(false);
    await pool.close();
  });

  it('rejects malformed tenant ids before touching the disk', async () => {
    const dataDir = tempDir();
    const pool = new TenantDbPool({ dataDir, maxHandles: 2 });
    for (const bad of ['../x', '00000000/..', '0000000A', 'ABCDEF01', '０００００００１', '', '123456789', '1234567', 'abcdefg1', '0000000\n', ' 0000000']) {
      expect(() => pool.acquire(bad)).toThrowError(expect.objectContaining({ code: 'PCTX_ERR_INVALID_TENANT_ID' }));
    }
    expect(fs.existsSync(`${dataDir}/tenants`)).toBe(false);
    await pool.close();
  });

  it('blocks a tenant: waits for its leases, closes it, and refuses new acquires until unblocked', async () => {
    const pool = new TenantDbPool({ dataDir: tempDir(), maxHandles: 4 });
    const lease = pool.acquire(tenantId(9));
    let blocked = false;
    const done = pool.block(tenantId(9), new PctxError('TENANT_DELETING', { tenantId: tenantId(9) })).then(() => (blocked = true));
    await sleep(5);
    expect(blocked).toBe(false);
    expect(lease.db.open).toBe(true);
    expect(() => pool.acquire(tenantId(9))).toThrowError(expect.objectContaining({ code: 'PCTX_ERR_TENANT_DELETING' }));
    const db = lease.db;
    lease.release();
    await done;
    expect(db.open).toBe(false);
    pool.unblock(tenantId(9));
    pool.acquire(tenantId(9)).release();
    await pool.close();
  });

  it('fails only the tenant whose database file is corrupt, with TENANT_CORRUPT', async () => {
    const dataDir = tempDir();
    const pool = new TenantDbPool({ dataDir, maxHandles: 4 });
    pool.acquire(tenantId(1)).release();
    pool.acquire(tenantId(2)).release();
    await pool.close();
    fs.writeFileSync(`${dataDir}/tenants/${tenantId(2)}/index.db`, Buffer.alloc(8192, 0x5a));
    fs.rmSync(`${dataDir}/tenants/${tenantId(2)}/index.db-wal`, { force: true });
    const again = new TenantDbPool({ dataDir, maxHandles: 4 });
    expect(() => again.acquire(tenantId(2))).toThrowError(expect.objectContaining({ code: 'PCTX_ERR_TENANT_CORRUPT' }));
    const ok = again.acquire(tenantId(1));
    expect(ok.db.prepare('SELECT count(*) FROM repos').pluck().get()).toBe(0);
    ok.release();
    await again.close();
  });

  it('refuses a database file that belongs to another tenant', async () => {
    const dataDir = tempDir();
    const pool = new TenantDbPool({ dataDir, maxHandles: 4 });
    pool.acquire(tenantId(1)).release();
    await pool.close();
    fs.mkdirSync(`${dataDir}/tenants/${tenantId(2)}`);
    fs.copyFileSync(`${dataDir}/tenants/${tenantId(1)}/index.db`, `${dataDir}/tenants/${tenantId(2)}/index.db`);
    const again = new TenantDbPool({ dataDir, maxHandles: 4 });
    expect(() => again.acquire(tenantId(2))).toThrowError(/belongs to tenant 00000001/);
    await again.close();
  });
});
