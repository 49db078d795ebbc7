#!/usr/bin/env node
import { fileURLToPath } from 'node:url';
import { shouldSupervise, superviseChild } from './supervisor.js';

// Commands that load grammars run in a child this process exits without waiting for (see
// supervisor.ts). Everything else is imported only on the other branch, so the supervising
// parent starts in the time of a bare `node`.
if (shouldSupervise(process.argv, process.env)) superviseChild(fileURLToPath(import.meta.url));
else await (await import('./run.js')).runCli();
