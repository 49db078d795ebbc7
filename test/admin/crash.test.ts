import { describe, expect, it } from 'vitest';
import { runCrashTest } from '../../scripts/crash-run.js';
import { cliMain } from '../helpers/cli.js';
import { useTempDir } from '../helpers/temp-dir.js';

const tempDir = useTempDir();

describe('crash test, short version (npm run test:crash runs the full one)', () => {
  it('SIGKILL at a named step of restore --force, delete and backup, and during an index run, leaves every tenant old or new with nothing lost or left over (issue 8)', { timeout: 600_000 }, async () => {
    const workDir = tempDir();
    const report = await runCrashTest({
      cliMain: cliMain(),
      workDir,
      kills: 4,
      maxAttempts: 6,
      seed: 8,
      script: [
        // Between restore's two renames: the defect of issue 8 #1.
        { op: 'restore', point: 'restore.live-moved-to-trash' },
        { op: 'delete', point: 'delete.moved-to-trash' },
        { op: 'backup', point: 'backup.archive-written' },
        { op: 'index' },
      ],
    });
    expect(report.failures).toEqual([]);
    expect(report.attempts.slice(0, 3).map((a) => [a.op, a.killed, a.outcome])).toEqual([
      ['restore', true, 'new'],
      ['delete', true, 'new'],
      ['backup', true, 'old'],
    ]);
    expect(report.kills).toBeGreaterThanOrEqual(3);
  });
});
