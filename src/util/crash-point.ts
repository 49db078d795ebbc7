import fs from 'node:fs';

/**
 * A named step of an operation that must survive a crash at exactly that point (restore's
 * renames, delete's trash move, backup's temp file...). Does nothing unless the
 * environment variable `PCTX_TEST_PAUSE_AT` names this step: then it reports
 * `PCTX_PAUSED <step>` on stderr and blocks the whole process, so that a test (the crash
 * test, `npm run test:crash`) can SIGKILL it there — a real kill of a real process at a
 * known point, without timing guesses.
 */
export function crashPoint(step: string): void {
  if (process.env.PCTX_TEST_PAUSE_AT !== step) return;
  fs.writeSync(2, `PCTX_PAUSED ${step}\n`);
  const cell = new Int32Array(new SharedArrayBuffer(4));
  // Synchronous: no timer, callback or other request of this process runs past the step.
  for (;;) Atomics.wait(cell, 0, 0);
}
