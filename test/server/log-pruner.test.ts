import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { openControlDb } from '../../src/control/index.js';
import { LogPruner } from '../../src/server/log-pruner.js';
import { useTempDir } from '../helpers/temp-dir.js';

const tempDir = useTempDir('pctx-pruner-');

describe('LogPruner', () => {
  it('deletes request-log rows older than the retention period and keeps the rest', () => {
    const control = openControlDb(path.join(tempDir(), 'control.db'));
    try {
      const now = Date.parse('2026-06-30T00:00:00Z');
      const day = 24 * 60 * 60 * 1000;
      for (const age of [40, 31, 29, 1]) {
        control.requestLog.append({ tenantId: null, tool: `t${age}`, durationMs: 1, status: 'success', timestamp: new Date(now - age * day) });
      }
      const pruner = new LogPruner({ requestLog: control.requestLog, retentionDays: 30, now: () => now });
      expect(pruner.pruneNow()).toBe(2);
      expect(Object.keys(control.requestLog.stats({ since: new Date(0) }).byTool).sort()).toEqual(['t1', 't29']);
      expect(pruner.pruneNow()).toBe(0);
    } finally {
      control.close();
    }
  });
});
