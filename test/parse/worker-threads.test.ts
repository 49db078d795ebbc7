import { once } from 'node:events';
import { Worker } from 'node:worker_threads';
import { describe, expect, it } from 'vitest';
import type { ParseResult } from '../../src/parse/types.js';
import { readFixture, sharedParser } from './parse-helpers.js';

function startWorker(languages: string[]): Worker {
  return new Worker(new URL('./parse-worker-entry.mjs', import.meta.url), { workerData: { languages } });
}

async function ask(worker: Worker, language: string, source: string): Promise<ParseResult> {
  worker.postMessage({ language, source });
  const [result] = await once(worker, 'message');
  return result as ParseResult;
}

describe('CodeParser in worker threads', () => {
  it('gives two workers parsing at once the same results as the main thread', async () => {
    const workers = [startWorker(['python', 'go']), startWorker(['python', 'go'])];
    try {
      await Promise.all(workers.map(async (w) => expect((await once(w, 'message'))[0]).toBe('ready')));
      const python = readFixture('python/client.py');
      const go = readFixture('go/server.go');
      const [a, b] = await Promise.all([ask(workers[0]!, 'python', python), ask(workers[1]!, 'go', go)]);
      const [c, d] = await Promise.all([ask(workers[0]!, 'go', go), ask(workers[1]!, 'python', python)]);
      const main = await sharedParser();
      expect(a).toEqual(main.parse('python', python));
      expect(d).toEqual(a);
      expect(b).toEqual(main.parse('go', go));
      expect(c).toEqual(b);
    } finally {
      await Promise.all(workers.map((w) => w.terminate()));
    }
  });
});
