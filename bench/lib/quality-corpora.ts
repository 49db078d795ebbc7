import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { languageForPath } from '../../src/parse/languages.js';

/**
 * Corpora of bench:quality. Tuning happens on the first three; `stdlib` (the Python standard
 * library) is held out and measured only as an independent check.
 */
export const QUALITY_CORPORA = ['npm', 'pysite', 'java', 'stdlib'] as const;
export type QualityCorpus = (typeof QUALITY_CORPORA)[number];
export const HELD_OUT: ReadonlySet<QualityCorpus> = new Set(['stdlib']);

/** Site-packages of the default python3 used as the Python tuning corpus (well documented, varied). */
const PY_PACKAGES = ['requests', 'flask', 'click', 'jinja2', 'werkzeug', 'urllib3', 'packaging', 'attr', 'dateutil', 'trio', 'docutils', 'pydantic', 'networkx'];
/** Packages of the JDK's java.base used as the Java corpus. */
const JAVA_PREFIXES = ['java.base/java/util/', 'java.base/java/io/', 'java.base/java/nio/file/', 'java.base/java/net/', 'java.base/java/time/', 'java.base/java/text/', 'java.base/java/lang/'];

function run(cmd: string, args: string[]): string | null {
  try {
    return execFileSync(cmd, args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
  } catch {
    return null;
  }
}

/** Copies the source files (those the indexer parses) under `from` into `to`, skipping `skip` folders. */
function copySources(from: string, to: string, keep: (rel: string) => boolean): number {
  let files = 0;
  for (const entry of fs.readdirSync(from, { withFileTypes: true, recursive: true })) {
    if (!entry.isFile()) continue;
    const abs = path.join(entry.parentPath, entry.name);
    const rel = path.relative(from, abs);
    if (!languageForPath(rel) || !keep(rel) || rel.split(path.sep).includes('__pycache__')) continue;
    fs.mkdirSync(path.dirname(path.join(to, rel)), { recursive: true });
    fs.copyFileSync(abs, path.join(to, rel));
    files++;
  }
  return files;
}

/** Writes the corpus's source files into `dir` (a fresh folder); throws when this machine lacks it. */
export function materializeCorpus(name: QualityCorpus, dir: string): { description: string; files: number } {
  const fail = (what: string): never => {
    throw new Error(`corpus "${name}" is not available on this machine: ${what}`);
  };
  switch (name) {
    case 'npm': {
      const root = path.join(run('npm', ['root', '-g']) ?? fail('npm root -g failed'), 'npm');
      if (!fs.existsSync(root)) fail(`${root} does not exist`);
      return { description: `npm's own tree (${root}): lib and node_modules, JSDoc`, files: copySources(root, dir, () => true) };
    }
    case 'pysite': {
      const site = run('python3', ['-c', 'import sysconfig; print(sysconfig.get_paths()["purelib"])']) ?? fail('python3 was not found');
      const present = PY_PACKAGES.filter((p) => fs.existsSync(path.join(site, p)));
      if (present.length < 5) fail(`fewer than 5 of ${PY_PACKAGES.join(', ')} are installed in ${site}`);
      let files = 0;
      for (const pkg of present) files += copySources(path.join(site, pkg), path.join(dir, pkg), () => true);
      return { description: `Python site-packages: ${present.join(', ')}`, files };
    }
    case 'java': {
      const zips = fs.existsSync('/usr/lib/jvm') ? fs.readdirSync('/usr/lib/jvm').map((d) => path.join('/usr/lib/jvm', d, 'lib', 'src.zip')).filter((f) => fs.existsSync(f)) : [];
      const zip = zips[zips.length - 1] ?? fail('no JDK src.zip under /usr/lib/jvm');
      const script = `import sys, zipfile
z = zipfile.ZipFile(sys.argv[1]); pre = tuple(sys.argv[3:])
names = [n for n in z.namelist() if n.endswith('.java') and n.startswith(pre)]
z.extractall(sys.argv[2], names); print(len(names))`;
      const files = Number(run('python3', ['-c', script, zip, dir, ...JAVA_PREFIXES]) ?? fail('python3 could not read the JDK sources'));
      return { description: `JDK sources (${zip}): ${JAVA_PREFIXES.map((p) => p.replace('java.base/', '')).join(', ')}`, files };
    }
    case 'stdlib': {
      const root = run('python3', ['-c', 'import sysconfig; print(sysconfig.get_paths()["stdlib"])']) ?? fail('python3 was not found');
      const files = copySources(root, dir, (rel) => rel.split(path.sep)[0] !== 'site-packages');
      return { description: `Python standard library (${root}) without site-packages`, files };
    }
  }
}
