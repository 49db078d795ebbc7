import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';

/** A real source tree found on this machine, indexed the way a user would index it. */
export interface Corpus {
  name: CorpusName;
  description: string;
  root: string;
  exclude: string[];
}

export const CORPUS_NAMES = ['stdlib', 'npm', 'python-mid', 'python-all'] as const;
export type CorpusName = (typeof CORPUS_NAMES)[number];

function run(cmd: string, args: string[]): string | null {
  try {
    return execFileSync(cmd, args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
  } catch {
    return null;
  }
}

function pythonStdlib(): string | null {
  return run('python3', ['-c', 'import sysconfig; print(sysconfig.get_paths()["stdlib"])']);
}

function npmTree(): string | null {
  const globalRoot = run('npm', ['root', '-g']);
  const candidates = [
    ...(globalRoot ? [path.join(globalRoot, 'npm', 'node_modules')] : []),
    '/usr/lib/node_modules/npm/node_modules',
    '/usr/local/lib/node_modules/npm/node_modules',
  ];
  return candidates.find((dir) => fs.existsSync(dir)) ?? null;
}

/**
 * Resolves a corpus by name, or throws with what is missing and how to get it. Paths are
 * discovered at run time, never hard-coded for one machine.
 */
export function resolveCorpus(name: CorpusName): Corpus {
  const fail = (what: string): never => {
    throw new Error(`corpus "${name}" is not available on this machine: ${what}`);
  };
  switch (name) {
    case 'stdlib': {
      const root = pythonStdlib() ?? fail('python3 was not found (`python3 -c "import sysconfig"` failed)');
      if (!fs.existsSync(root)) fail(`the Python standard library folder ${root} does not exist`);
      return { name, description: `Python ${path.basename(root)} standard library without site-packages`, root, exclude: ['site-packages'] };
    }
    case 'npm': {
      const root = npmTree() ?? fail("npm's own node_modules folder was not found (is npm installed globally?)");
      return { name, description: "npm's own dependency tree (JavaScript, many small files)", root, exclude: [] };
    }
    case 'python-mid': {
      // The search target is stated at 100k symbols: the stdlib (~71k) plus pip and
      // setuptools (which ship with CPython), pygments and jedi (with its typeshed stubs)
      // comes to ~280k: past the target, well below python-all.
      const root = pythonStdlib() ?? fail('python3 was not found');
      const packages = ['pip', 'setuptools', 'pygments', 'jedi'];
      for (const pkg of packages) {
        if (!fs.existsSync(path.join(root, 'site-packages', pkg))) fail(`${root}/site-packages/${pkg} does not exist (pip install ${pkg})`);
      }
      return {
        name,
        description: `Python ${path.basename(root)} standard library with ${packages.join(', ')}`,
        root,
        exclude: ['site-packages/*', ...packages.map((pkg) => `!site-packages/${pkg}/`)],
      };
    }
    case 'python-all': {
      const root = pythonStdlib() ?? fail('python3 was not found');
      if (!fs.existsSync(path.join(root, 'site-packages'))) fail(`${root}/site-packages does not exist`);
      return { name, description: `Python ${path.basename(root)} standard library with its site-packages`, root, exclude: [] };
    }
  }
}

export function parseCorpusList(value: string | undefined, fallback: CorpusName[]): CorpusName[] {
  if (value === undefined) return fallback;
  if (value === 'all') return [...CORPUS_NAMES];
  const names = value.split(',').map((s) => s.trim());
  for (const n of names) {
    if (!(CORPUS_NAMES as readonly string[]).includes(n)) throw new Error(`--corpus: unknown corpus "${n}" (known: ${CORPUS_NAMES.join(', ')}, all)`);
  }
  return names as CorpusName[];
}
