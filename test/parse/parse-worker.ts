import { parentPort, workerData } from 'node:worker_threads';
import { CodeParser } from '../../src/parse/code-parser.js';
import type { LanguageId } from '../../src/parse/types.js';

/** A worker as the indexer runs one: its own CodeParser, files in, plain results out. */
const parser = await CodeParser.create({ languages: workerData.languages as LanguageId[] });
parentPort!.on('message', (job: { language: LanguageId; source: string } | null) => {
  if (job === null) {
    parentPort!.close();
    return;
  }
  parentPort!.postMessage(parser.parse(job.language, job.source));
});
parentPort!.postMessage('ready');
