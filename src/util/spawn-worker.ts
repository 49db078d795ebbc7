import fs from 'node:fs';
import path from 'node:path';
import { Worker, type WorkerOptions } from 'node:worker_threads';
import { createRequire } from 'node:module';
import { pathToFileURL } from 'node:url';

/** tsx's ESM loader API (its `import` export), which createRequire alone would not pick. */
function tsxEsmApi(callerUrl: string): string {
  const pkgJson = createRequire(callerUrl).resolve('tsx/package.json');
  const pkg = JSON.parse(fs.readFileSync(pkgJson, 'utf8')) as { exports: Record<string, { import: { default: string } }> };
  return path.join(path.dirname(pkgJson), pkg.exports['./esm/api']!.import.default);
}

/**
 * Starts a worker thread from a module next to the caller, given without extension.
 *
 * Built code (`dist/*.js`) starts the `.js` sibling directly. Under the test runner the
 * sources are TypeScript and Node 20 cannot load them in a worker by itself, so the
 * worker first registers tsx's loader, then imports the `.ts` sibling.
 */
export function spawnWorker(callerUrl: string, relativeNoExt: string, options: WorkerOptions = {}): Worker {
  const isTypeScript = callerUrl.endsWith('.ts');
  const entry = new URL(`${relativeNoExt}${isTypeScript ? '.ts' : '.js'}`, callerUrl);
  if (!isTypeScript) return new Worker(entry, options);
  const tsxApi = pathToFileURL(tsxEsmApi(callerUrl)).href;
  const boot = `import(${JSON.stringify(tsxApi)}).then((m) => { m.register(); return import(${JSON.stringify(entry.href)}); })`;
  return new Worker(boot, { ...options, eval: true });
}
