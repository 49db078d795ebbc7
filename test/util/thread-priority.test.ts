import fs from 'node:fs';
import { once } from 'node:events';
import { afterEach, describe, expect, it } from 'vitest';
import { setBackgroundNice, threadNice } from '../../src/util/thread-priority.js';
import { spawnWorker } from '../../src/util/spawn-worker.js';

const linux = fs.existsSync('/proc/thread-self');
const saved = process.env.PCTX_BACKGROUND_NICE;

afterEach(() => {
  if (saved === undefined) delete process.env.PCTX_BACKGROUND_NICE;
  else process.env.PCTX_BACKGROUND_NICE = saved;
});

async function workerNice(): Promise<number | null> {
  const worker = spawnWorker(import.meta.url, './fixtures/nice-worker');
  try {
    const [nice] = (await once(worker, 'message')) as [number | null];
    return nice;
  } finally {
    await worker.terminate();
  }
}

describe.runIf(linux)('background thread priority', () => {
  it('a background worker lowers its own priority to the nice value set, and the calling thread keeps its own', async () => {
    const before = threadNice()!;
    setBackgroundNice(Math.min(19, before + 7));
    expect(await workerNice()).toBe(Math.min(19, before + 7));
    expect(threadNice()).toBe(before);
  });

  it('with no value set (or 0) a background worker runs at the priority it started with', async () => {
    const before = threadNice()!;
    delete process.env.PCTX_BACKGROUND_NICE;
    expect(await workerNice()).toBe(before);
    setBackgroundNice(0);
    expect(await workerNice()).toBe(before);
  });
});
