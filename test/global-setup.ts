import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { buildSync } from 'esbuild';
import type { TestProject } from 'vitest/node';

declare module 'vitest' {
  export interface ProvidedContext {
    /** `main.js` of the CLI, built from the current sources for tests that run it as a process. */
    cliMain: string;
  }
}

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const buildRoot = path.join(repoRoot, '.test-build');

function sourceFiles(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const full = path.join(dir, e.name);
    if (e.isDirectory()) return sourceFiles(full);
    return e.name.endsWith('.ts') && !e.name.endsWith('.d.ts') ? [full] : [];
  });
}

/**
 * Tests that run the CLI as a child process used to start it through tsx, which
 * transpiles ~150 files on every start (≈2 s each, 5 s and more on a loaded machine: the
 * CLI tenant test ran past its timeout). Once per test run, the sources are transpiled
 * with esbuild (well under a second) into `.test-build/<hash of the sources>/`, next to
 * a package.json that makes the files ES modules and gives `version.ts` its `../package.json`;
 * children start that in ~0.5 s. A build for the same sources is reused, and a second
 * test run beside this one builds into a temp folder and renames it into place, so it
 * never writes over files another run is executing.
 */
export default function setup(project: TestProject): void {
  const files = sourceFiles(path.join(repoRoot, 'src')).sort();
  const hash = crypto.createHash('sha256');
  for (const file of files) hash.update(path.relative(repoRoot, file)).update('\0').update(fs.readFileSync(file)).update('\0');
  const digest = hash.digest('hex').slice(0, 16);
  const out = path.join(buildRoot, digest);
  if (!fs.existsSync(out)) {
    fs.mkdirSync(buildRoot, { recursive: true });
    const pkg = JSON.parse(fs.readFileSync(path.join(repoRoot, 'package.json'), 'utf8')) as { name: string; version: string };
    const pkgFile = path.join(buildRoot, 'package.json');
    const pkgTmp = `${pkgFile}.${process.pid}.tmp`;
    fs.writeFileSync(pkgTmp, JSON.stringify({ name: pkg.name, version: pkg.version, type: 'module', private: true }));
    fs.renameSync(pkgTmp, pkgFile);
    const tmp = `${out}.${process.pid}.tmp`;
    fs.rmSync(tmp, { recursive: true, force: true });
    buildSync({ entryPoints: files, outdir: tmp, outbase: path.join(repoRoot, 'src'), format: 'esm', platform: 'node', target: 'node20', logLevel: 'error' });
    try {
      fs.renameSync(tmp, out);
    } catch {
      // Another run built the same sources first.
      fs.rmSync(tmp, { recursive: true, force: true });
    }
    // Builds of older sources are dead weight once a day old.
    for (const name of fs.readdirSync(buildRoot)) {
      const dir = path.join(buildRoot, name);
      if (name !== digest && name !== 'package.json' && Date.now() - fs.statSync(dir).mtimeMs > 86_400_000) fs.rmSync(dir, { recursive: true, force: true });
    }
  }
  project.provide('cliMain', path.join(out, 'cli', 'main.js'));
}
