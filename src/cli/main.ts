#!/usr/bin/env node
import { fileURLToPath } from 'node:url';
import { shouldSupervise, superviseChild, watchSupervisor } from './supervisor.js';

// Commands that load grammars run in a child this process exits without waiting for (see
// supervisor.ts). Everything else is imported only on the other branch, so the supervising
// parent starts in the time of a bare `node`. The child stops when its supervisor dies.
if (shouldSupervise(process.argv, process.env)) superviseChild(fileURLToPath(import.meta.url));
else {
  watchSupervisor();
  await (await import('./run.js')).runCli();
}
