/** Path arithmetic on repo-relative, '/'-separated paths, and per-repo lookup indexes. */

export interface RepoFiles {
  /** Every file of the repo, repo-relative with '/' separators. */
  readonly files: ReadonlySet<string>;
  /** Module path from the repo's root `go.mod`, or null. */
  readonly goModule: string | null;
}

export function dirname(path: string): string {
  const slash = path.lastIndexOf('/');
  return slash === -1 ? '' : path.slice(0, slash);
}

export function basename(path: string): string {
  return path.slice(path.lastIndexOf('/') + 1);
}

/**
 * `base` joined with `rel` and normalised, or null when the result climbs above the repo
 * root: a resolver must never name a file outside the repo.
 */
export function joinPath(base: string, rel: string): string | null {
  const out: string[] = [];
  for (const part of `${base}/${rel}`.split('/')) {
    if (part === '' || part === '.') continue;
    if (part === '..') {
      if (out.length === 0) return null;
      out.pop();
    } else {
      out.push(part);
    }
  }
  return out.join('/');
}

/** The first candidate that is a file of the repo, as a one-element list, or []. */
export function firstExisting(files: ReadonlySet<string>, candidates: Iterable<string | null>): string[] {
  for (const candidate of candidates) {
    if (candidate !== null && candidate !== '' && files.has(candidate)) return [candidate];
  }
  return [];
}

interface RepoIndex {
  byDir: Map<string, string[]>;
  byBasename: Map<string, string[]>;
}

/** Built once per file set (a WeakMap keeps it exactly as long as the set lives). */
const indexes = new WeakMap<ReadonlySet<string>, RepoIndex>();

function indexOf(files: ReadonlySet<string>): RepoIndex {
  let index = indexes.get(files);
  if (index !== undefined) return index;
  index = { byDir: new Map(), byBasename: new Map() };
  for (const file of [...files].sort()) {
    const dir = dirname(file);
    const name = basename(file);
    let inDir = index.byDir.get(dir);
    if (inDir === undefined) index.byDir.set(dir, (inDir = []));
    inDir.push(file);
    let named = index.byBasename.get(name);
    if (named === undefined) index.byBasename.set(name, (named = []));
    named.push(file);
  }
  indexes.set(files, index);
  return index;
}

/** Files directly inside `dir` ('' for the root), sorted. */
export function filesInDir(files: ReadonlySet<string>, dir: string): readonly string[] {
  return indexOf(files).byDir.get(dir) ?? [];
}

/** Files whose name is `name`, sorted by path. */
export function filesNamed(files: ReadonlySet<string>, name: string): readonly string[] {
  return indexOf(files).byBasename.get(name) ?? [];
}
