import { basename, dirname, firstExisting } from './repo-paths.js';

const CRATE_ROOTS = ['lib.rs', 'main.rs'];

function join(dir: string, name: string): string {
  return dir === '' ? name : `${dir}/${name}`;
}

/**
 * The folder holding a file's child modules: its own folder for `lib.rs`, `main.rs` and
 * `mod.rs`, otherwise a folder named after it (`src/a.rs` → `src/a`).
 */
function moduleDir(path: string): string {
  const name = basename(path);
  if (name === 'mod.rs' || CRATE_ROOTS.includes(name)) return dirname(path);
  return path.slice(0, -'.rs'.length);
}

/** The file that defines the module whose children live in `dir`. */
function moduleFile(files: ReadonlySet<string>, dir: string, preferred?: string): string | null {
  const candidates = [
    ...(preferred !== undefined ? [preferred] : []),
    join(dir, 'lib.rs'),
    join(dir, 'main.rs'),
    join(dir, 'mod.rs'),
    ...(dir === '' ? [] : [`${dir}.rs`]),
  ];
  return candidates.find((c) => files.has(c)) ?? null;
}

/** Folder of the nearest `lib.rs` or `main.rs` at or above the file's folder. */
function crateRoot(files: ReadonlySet<string>, fromPath: string): string | null {
  for (let dir = dirname(fromPath); ; dir = dirname(dir)) {
    if (CRATE_ROOTS.some((root) => files.has(join(dir, root)))) return dir;
    if (dir === '') return null;
  }
}

/** `mod foo;` → `foo.rs` or `foo/mod.rs` in the declaring module's folder. */
export function resolveRustMod(files: ReadonlySet<string>, fromPath: string, name: string): string[] {
  if (!/^\w+$/.test(name)) return [];
  const dir = moduleDir(fromPath);
  return firstExisting(files, [join(dir, `${name}.rs`), join(dir, `${name}/mod.rs`)]);
}

/**
 * `use crate::a::b::C` → the deepest module file that exists along the path (`a/b.rs`,
 * `a/b/mod.rs`, `a.rs`, `a/mod.rs`), else the crate root itself. `self::` and `super::`
 * start from the current and parent module; a first segment naming a sibling module is
 * tried like `self::`. Paths into other crates give [].
 */
export function resolveRustUse(files: ReadonlySet<string>, fromPath: string, specifier: string): string[] {
  const segments = specifier.split('::').filter((s) => s !== '');
  if (segments.length === 0) return [];
  let base: string | null;
  let baseFile: string | null;
  const head = segments[0]!;
  if (head === 'crate') {
    base = crateRoot(files, fromPath);
    const preferred = base !== null && CRATE_ROOTS.includes(basename(fromPath)) && dirname(fromPath) === base ? fromPath : undefined;
    baseFile = base === null ? null : moduleFile(files, base, preferred);
    segments.shift();
  } else if (head === 'self' || head === 'super') {
    base = moduleDir(fromPath);
    baseFile = fromPath;
    segments.shift();
    let climbs = head === 'super' ? 1 : 0;
    while (segments[0] === 'super') {
      climbs++;
      segments.shift();
    }
    const root = crateRoot(files, fromPath);
    for (; climbs > 0; climbs--) {
      // The crate root has no parent module.
      if (root === null || base === root) return [];
      base = dirname(base);
      baseFile = moduleFile(files, base);
      if (baseFile === null) return [];
    }
  } else {
    base = moduleDir(fromPath);
    baseFile = null;
  }
  if (base === null) return [];
  for (let depth = segments.length; depth > 0; depth--) {
    const rel = segments.slice(0, depth).join('/');
    const found = firstExisting(files, [join(base, `${rel}.rs`), join(base, `${rel}/mod.rs`)]);
    if (found.length > 0) return found;
  }
  return baseFile !== null && baseFile !== fromPath && files.has(baseFile) ? [baseFile] : [];
}
