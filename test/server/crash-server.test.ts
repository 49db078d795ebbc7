import { describe, expect, it } from 'vitest';
import { runServerCrashTest } from '../../scripts/crash-server-run.js';
import { cliMain } from '../helpers/cli.js';
import { useTempDir } from '../helpers/temp-dir.js';

const tempDir = useTempDir();

describe('server crash test, short version (npm run test:crash runs the full one)', () => {
  it('SIGKILL of serve --http at a named step of an admin backup, restore and delete, and while a CLI restore swaps a tenant it serves, leaves every tenant old or new with nothing lost or left over after the restart', { timeout: 600_000 }, async () => {
    const report = await runServerCrashTest({
      cliMain: cliMain(),
      workDir: tempDir(),
      kills: 5,
      maxAttempts: 5,
      seed: 11,
      script: [
        // The HTTP backup's work folder carried no pid: a kill here left it for ever.
        { op: 'backup', point: 'backup.archive-written' },
        { op: 'delete', point: 'delete.moved-to-trash' },
        { op: 'restore', point: 'restore.live-moved-to-trash' },
        // The restart finishes the CLI restore above, passing this step: a server armed with it
        // at start paused in its own repairs and the test hung.
        { op: 'restore-http', point: 'restore.journal-removed' },
        // A restore over HTTP killed with the archive staged: its work folder and staging go at the next start.
        { op: 'restore-http', point: 'restore.extracted' },
      ],
    });
    expect(report.failures).toEqual([]);
    expect(report.attempts.map((a) => [a.op, a.killed, a.outcome])).toEqual([
      ['backup', true, 'old'],
      ['delete', true, 'new'],
      ['restore', true, 'new'],
      ['restore-http', true, 'new'],
      ['restore-http', true, 'old'],
    ]);
  });
});
