/**
 * Finds the files to index under a root folder: walks it once, honouring .gitignore files
 * the way git does, refusing secrets and symlinks that leave the root, and reporting what
 * it refused so the user can see why a file is missing from the index.
 *
 * The walk never reads file content (binary detection is `looksBinary` in `binary.ts`,
 * called by the indexer on the bytes it reads anyway) and stats only files that have a
 * language, which is what keeps a 50k-file tree well under a second.
 */

import { type Dirent, type Stats, lstat as lstatCb, readdir as readdirCb, realpath as realpathCb, stat as statCb } from 'node:fs';
import path from 'node:path';
import ignore, { type Ignore } from 'ignore';
import { PctxError, invalidArgument } from '../errors.js';
import { NOT_REGULAR_CODE, readRegularTextFile } from './indexer/read-regular-file.js';
import { isSecretPath } from './secret-files.js';

export interface DiscoveryOptions {
  /**
   * The language of a file given its `/`-separated path relative to the root, or null when
   * it is not a source file. Files without a language are skipped silently: they are
   * neither listed nor reported (unless they are secrets or escaping symlinks).
   */
  languageOf: (relPath: string) => string | null;
  /**
   * Files larger than this many bytes are skipped and reported as `too_large`.
   * @default 1048576 (1 MiB)
   */
  maxFileBytes?: number;
  /**
   * Extra gitignore-style patterns, relative to the root. They take precedence over every
   * .gitignore: a file they match is excluded even if a .gitignore re-includes it.
   * @default []
   */
  exclude?: readonly string[];
  /**
   * Gitignore-style patterns of folders and files to walk although a built-in exclude
   * or a .gitignore skips them (`dist/`, `vendor/`, `node_modules/left-pad/`). `exclude`
   * still wins over them; secrets and `.git` stay out whatever they say.
   * @default []
   */
  include?: readonly string[];
  /** Stops the walk; the promise then rejects with the signal's reason. */
  signal?: AbortSignal;
}

export interface DiscoveredFile {
  /** Path relative to the root, always `/`-separated, never starting with `./` or `/`. */
  relPath: string;
  /** The root's real path joined with `relPath` (native separators). */
  absPath: string;
  /** Size in bytes (of the target, for a symlink). */
  size: number;
  mtimeMs: number;
  /** What `languageOf` returned. */
  language: string;
}

/**
 * Why a file or folder was not indexed. Folders are reported once (their content is never
 * walked); files only when they have a language.
 * - `excluded`: the `exclude` option; `gitignored`: a .gitignore or `.git/info/exclude`.
 * - `dependencies` (node_modules, vendor…), `build_output` (dist, build, target…),
 *   `virtualenv` (a folder holding `pyvenv.cfg`), `cache` (`__pycache__`, a folder holding
 *   `CACHEDIR.TAG`…), `generated` (minified and lock files, `.next`, `coverage`): the
 *   built-in excludes, which `include` overrides.
 * - `secret`, `too_large`, `symlink_escape`, `unreadable`: never indexed.
 */
export type SkipReason =
  | 'secret'
  | 'too_large'
  | 'symlink_escape'
  | 'unreadable'
  | 'excluded'
  | 'gitignored'
  | 'dependencies'
  | 'build_output'
  | 'virtualenv'
  | 'cache'
  | 'generated';

/** The reasons `include` can override. */
const OVERRIDABLE: ReadonlySet<SkipReason> = new Set(['gitignored', 'dependencies', 'build_output', 'virtualenv', 'cache', 'generated']);

export interface SkippedFile {
  /**
   * `/`-separated path relative to the root; a folder's ends with `/` (an `unreadable`
   * folder's does not).
   */
  relPath: string;
  reason: SkipReason;
  /**
   * A short explanation (`"2000000 bytes, limit 1048576"`, an error code such as
   * `"EACCES"`). Never a path outside the root: in hosted mode that would leak the server's
   * layout.
   */
  detail?: string;
}

export interface DiscoveryResult {
  /** The root's real path (symlinks resolved). */
  root: string;
  /** Sorted by `relPath` in code-unit order, which does not depend on the locale. */
  files: DiscoveredFile[];
  /** Sorted by `relPath` like `files`. */
  skipped: SkippedFile[];
  /**
   * Only when no file was found: skipped folders that do hold source files, with how
   * many (counted up to a bound), so the caller can say what to include.
   */
  sourceInSkipped: { relPath: string; reason: SkipReason; files: number }[];
}

const DEFAULT_MAX_FILE_BYTES = 1024 * 1024;

/** How many file-system calls are in flight at once; bounds memory and descriptors. */
const FS_CONCURRENCY = 32;

/** Version-control metadata: never indexed, not even when a .gitignore re-includes it. */
const VCS_DIRS: ReadonlySet<string> = new Set(['.git', '.hg', '.svn']);

/**
 * Dependencies, build output, caches and generated files, by folder name. They rank below
 * `.git/info/exclude` and every .gitignore, so a project that does want its `vendor/`
 * indexed says `!vendor/` in its .gitignore (or passes `include`). Plain name lookups
 * rather than patterns: they are checked for every entry of the tree, and a map lookup is
 * many times cheaper than a pattern match.
 */
const DEFAULT_EXCLUDED_DIRS: ReadonlyMap<string, SkipReason> = new Map<string, SkipReason>([
  ['node_modules', 'dependencies'],
  ['bower_components', 'dependencies'],
  ['vendor', 'dependencies'],
  ['Pods', 'dependencies'],
  ['dist', 'build_output'],
  ['build', 'build_output'],
  ['out', 'build_output'],
  ['target', 'build_output'],
  ['venv', 'virtualenv'],
  ['.venv', 'virtualenv'],
  ['__pycache__', 'cache'],
  ['.mypy_cache', 'cache'],
  ['.pytest_cache', 'cache'],
  ['.tox', 'cache'],
  ['.gradle', 'cache'],
  ['.idea', 'cache'],
  ['.next', 'generated'],
  ['.nuxt', 'generated'],
  ['coverage', 'generated'],
]);

/**
 * Folder names that usually are build output or a virtualenv but are also fine names for
 * a package: the standard library's own `venv`, pypa's `build`. Such a folder is
 * listed, and skipped only if it does not hold a package marker.
 */
const AMBIGUOUS_DIRS: ReadonlySet<string> = new Set(['venv', '.venv', 'build', 'dist', 'out', 'target']);

/** Files that make a folder a source package whatever its name. */
const PACKAGE_MARKERS: ReadonlySet<string> = new Set(['__init__.py']);

/**
 * Files that say what a folder is whatever its name: a Python virtualenv (`env/` or
 * `py311/` full of site-packages), a cache (the Cache Directory Tagging convention,
 * written by cargo's `target/` and others), an installed node_modules tree (npm, yarn
 * and pnpm leave these in it).
 */
const CONTENT_MARKERS: ReadonlyMap<string, SkipReason> = new Map<string, SkipReason>([
  ['pyvenv.cfg', 'virtualenv'],
  ['CACHEDIR.TAG', 'cache'],
  ['.package-lock.json', 'dependencies'],
  ['.yarn-integrity', 'dependencies'],
  ['.modules.yaml', 'dependencies'],
]);

const DEFAULT_EXCLUDED_FILES: ReadonlySet<string> = new Set([
  'package-lock.json',
  'yarn.lock',
  'pnpm-lock.yaml',
  'Cargo.lock',
  '.DS_Store',
]);

const DEFAULT_EXCLUDED_SUFFIXES: readonly string[] = ['.min.js', '.min.css', '.map', '.lock'];

function defaultReason(name: string, isDir: boolean): SkipReason | null {
  if (isDir) return DEFAULT_EXCLUDED_DIRS.get(name) ?? null;
  return DEFAULT_EXCLUDED_FILES.has(name) || DEFAULT_EXCLUDED_SUFFIXES.some((suffix) => name.endsWith(suffix)) ? 'generated' : null;
}

/** How many entries the search for source in skipped folders may read, in all. */
const SOURCE_PROBE_ENTRIES = 20_000;

/** Errors that mean the entry disappeared while we walked: nothing to report. */
const VANISHED_CODES: ReadonlySet<string> = new Set(['ENOENT', 'ENOTDIR', 'ELOOP']);

/** Case-sensitive like git on Linux, so the same tree gives the same files everywhere. */
const IGNORE_OPTIONS = { ignorecase: false } as const;

interface ResolvedOptions {
  readonly languageOf: (relPath: string) => string | null;
  readonly maxFileBytes: number;
  readonly exclude: Ignore | null;
  readonly include: Ignore | null;
  /** Folders on the way to an `include` pattern (`node_modules` for `node_modules/x/`). */
  readonly includeAncestors: ReadonlySet<string>;
  readonly signal: AbortSignal | undefined;
}

/**
 * The folders leading to each pattern's literal prefix: `node_modules/left-pad/` gives
 * `node_modules`; `packages/*\/dist/` gives `packages`. Walking into them (and only
 * towards the pattern) is how an `include` reaches inside an excluded folder.
 */
function ancestorsOf(patterns: readonly string[]): Set<string> {
  const out = new Set<string>();
  for (const pattern of patterns) {
    if (pattern.startsWith('!')) continue;
    const segments = pattern.replace(/^\/+/, '').replace(/\/+$/, '').split('/');
    for (let i = 1; i < segments.length; i++) {
      if (/[*?[\]\\]/.test(segments[i - 1]!)) break;
      out.add(segments.slice(0, i).join('/'));
    }
  }
  return out;
}

function resolveOptions(options: DiscoveryOptions): ResolvedOptions {
  if (typeof options !== 'object' || options === null) throw invalidArgument('options', 'must be an object');
  const maxFileBytes = options.maxFileBytes ?? DEFAULT_MAX_FILE_BYTES;
  const exclude = options.exclude ?? [];
  const include = options.include ?? [];
  if (typeof options.languageOf !== 'function') throw invalidArgument('languageOf', 'must be a function');
  if (typeof maxFileBytes !== 'number' || !Number.isSafeInteger(maxFileBytes) || maxFileBytes < 0) {
    throw invalidArgument('maxFileBytes', 'must be a non-negative integer');
  }
  if (!Array.isArray(exclude) || !exclude.every((pattern) => typeof pattern === 'string')) {
    throw invalidArgument('exclude', 'must be an array of strings');
  }
  if (!Array.isArray(include) || !include.every((pattern) => typeof pattern === 'string')) {
    throw invalidArgument('include', 'must be an array of strings');
  }
  if (options.signal !== undefined && !(options.signal instanceof AbortSignal)) {
    throw invalidArgument('signal', 'must be an AbortSignal');
  }
  return Object.freeze({
    languageOf: options.languageOf,
    maxFileBytes,
    exclude: exclude.length > 0 ? ignore(IGNORE_OPTIONS).add(exclude) : null,
    include: include.length > 0 ? ignore(IGNORE_OPTIONS).add(include) : null,
    includeAncestors: ancestorsOf(include),
    signal: options.signal,
  });
}

// The callback API costs half the main-thread time per call of `fs/promises`, and a walk
// is nothing but such calls.
function stat(file: string): Promise<Stats> {
  return new Promise((resolve, reject) => statCb(file, (err, stats) => (err ? reject(err) : resolve(stats))));
}

function lstat(file: string): Promise<Stats> {
  return new Promise((resolve, reject) => lstatCb(file, (err, stats) => (err ? reject(err) : resolve(stats))));
}

function realpath(file: string): Promise<string> {
  return new Promise((resolve, reject) => realpathCb.native(file, (err, real) => (err ? reject(err) : resolve(real))));
}

function readdir(dir: string): Promise<Dirent[]> {
  return new Promise((resolve, reject) =>
    readdirCb(dir, { withFileTypes: true }, (err, entries) => (err ? reject(err) : resolve(entries))),
  );
}

/** Ignore files only; a FIFO in their place (`mkfifo .git/info/exclude`) is refused, never waited on. */
function readText(file: string): Promise<string> {
  return readRegularTextFile(file);
}

function errorCode(err: unknown): string | undefined {
  const code = (err as { code?: unknown } | null)?.code;
  return typeof code === 'string' ? code : undefined;
}

/**
 * Runs jobs with at most `max` in flight, newest first so the walk goes depth-first and the
 * backlog stays small. Cheaper than wrapping each fs call in a limiter: a job costs one
 * closure, not three promises, and a 50k-file walk is nothing but jobs. The first job that
 * throws (an abort, a bug) stops the queue and rejects `idle()`.
 */
class JobQueue {
  private readonly jobs: Array<() => Promise<void>> = [];
  private running = 0;
  private failed: { error: unknown } | null = null;
  private waiters: Array<{ resolve: () => void; reject: (err: unknown) => void }> = [];

  constructor(
    private readonly max: number,
    private readonly signal: AbortSignal | undefined,
  ) {}

  push(job: () => Promise<void>): void {
    if (this.failed !== null) return;
    this.jobs.push(job);
    if (this.running < this.max) {
      this.running++;
      void this.drain();
    }
  }

  /** Resolves once every job, including those pushed by jobs, has finished. */
  idle(): Promise<void> {
    if (this.failed !== null) return Promise.reject(this.failed.error);
    if (this.running === 0) return Promise.resolve();
    return new Promise((resolve, reject) => this.waiters.push({ resolve, reject }));
  }

  private async drain(): Promise<void> {
    try {
      for (let job = this.jobs.pop(); job !== undefined; job = this.jobs.pop()) {
        this.signal?.throwIfAborted();
        await job();
      }
    } catch (error) {
      this.failed ??= { error };
      this.jobs.length = 0;
    }
    this.running--;
    if (this.running > 0) return;
    const waiters = this.waiters;
    this.waiters = [];
    for (const waiter of waiters) {
      if (this.failed === null) waiter.resolve();
      else waiter.reject(this.failed.error);
    }
  }
}

/** Characters that mean something in a gitignore pattern, escaped to match a folder name literally. */
function escapeGlob(literal: string): string {
  return literal.replace(/[\\*?[\]!#]/g, '\\$&');
}

function trimTrailingSpaces(line: string): string {
  let end = line.length;
  while (end > 0 && line[end - 1] === ' ' && line[end - 2] !== '\\') end--;
  return line.slice(0, end);
}

/**
 * Rewrites the patterns of `<base>/.gitignore` so that they are relative to the root.
 *
 * Git checks the .gitignore files from the deepest to the root and the first one with a
 * matching rule decides; within a file the last matching rule wins. That is the same as
 * concatenating all the files from the root down and letting the last matching rule win,
 * which is what one `ignore` instance does — provided each nested pattern is anchored at
 * its folder: a pattern with a slash before its end is relative to the folder, one without
 * matches at any depth below it.
 */
function rebaseGitignore(text: string, base: string): string[] {
  const prefix = `${escapeGlob(base)}/`;
  const rules: string[] = [];
  for (const raw of text.split(/\r?\n/)) {
    let line = trimTrailingSpaces(raw);
    if (line === '' || line.startsWith('#')) continue;
    let negation = '';
    if (line.startsWith('!')) {
      negation = '!';
      line = line.slice(1);
    }
    const anchored = (line.endsWith('/') ? line.slice(0, -1) : line).includes('/');
    if (line.startsWith('/')) line = line.slice(1);
    if (line === '' || line === '/') continue;
    rules.push(`${negation}${prefix}${anchored ? '' : '**/'}${line}`);
  }
  return rules;
}

interface DirTask {
  /** `/`-separated path from the root, '' for the root itself. */
  readonly rel: string;
  /** Real path on disk, where the file-system calls go. */
  readonly real: string;
  /**
   * `.git/info/exclude` and every .gitignore from the root down to this folder, as one
   * root-relative rule list (see `rebaseGitignore`); null when there are none, which
   * spares the pattern matching altogether.
   */
  readonly rules: Ignore | null;
  /**
   * Why the folder would be skipped by its name alone (`build`, `venv`) unless its
   * content says it is a package; null for an ordinary folder.
   */
  readonly unlessPackage?: SkipReason | null;
  /**
   * The folder is excluded and walked only on the way to an `include` pattern: only
   * entries that match one, or lead to one, are taken.
   */
  readonly includeOnly?: boolean;
}

interface Candidate {
  readonly file: DiscoveredFile;
  /** Real path of the file: two candidates with the same one are the same file. */
  readonly identity: string;
}

function compareCodeUnits(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

function byRelPath(a: { relPath: string }, b: { relPath: string }): number {
  return compareCodeUnits(a.relPath, b.relPath);
}

function joinNative(dir: string, name: string): string {
  return dir.endsWith(path.sep) ? dir + name : dir + path.sep + name;
}

class Walk {
  readonly files: Candidate[] = [];
  readonly skipped: SkippedFile[] = [];
  /** Real paths of folders already listed: each is walked once, which also ends cycles. */
  private readonly visited = new Set<string>();
  /** Symlinked folders inside the root, walked after the real tree (see `run`). */
  private readonly linkedDirs: DirTask[] = [];
  private readonly queue: JobQueue;
  private readonly rootPrefix: string;
  private readonly user = processUser();

  constructor(
    readonly rootReal: string,
    private readonly options: ResolvedOptions,
  ) {
    this.queue = new JobQueue(FS_CONCURRENCY, options.signal);
    this.rootPrefix = rootReal.endsWith(path.sep) ? rootReal : rootReal + path.sep;
  }

  /**
   * Walks the real tree first, then the symlinked folders in path order, skipping any whose
   * target was already walked. So a folder reached both directly and through a link is
   * listed under its real path, and the result does not depend on which readdir finished
   * first.
   */
  async run(): Promise<void> {
    const infoExclude = await this.readOptional(path.join(this.rootReal, '.git', 'info', 'exclude'), '.git/info/exclude');
    const rules = infoExclude === null ? null : ignore(IGNORE_OPTIONS).add(infoExclude);
    this.queue.push(() => this.walkDir({ rel: '', real: this.rootReal, rules }));
    await this.queue.idle();
    while (this.linkedDirs.length > 0) {
      this.linkedDirs.sort((a, b) => compareCodeUnits(a.rel, b.rel));
      const next = this.linkedDirs.shift()!;
      if (this.visited.has(next.real)) continue;
      this.queue.push(() => this.walkDir(next));
      await this.queue.idle();
    }
  }

  private async readOptional(file: string, rel: string): Promise<string | null> {
    try {
      return await readText(file);
    } catch (err) {
      this.failure(err, rel);
      return null;
    }
  }

  /** Reports an fs failure as `unreadable`, or says nothing if the entry just vanished. */
  private failure(err: unknown, rel: string): void {
    const code = errorCode(err);
    if (code === undefined) throw err;
    if (VANISHED_CODES.has(code)) return;
    this.skipped.push({ relPath: rel, reason: 'unreadable', detail: code === NOT_REGULAR_CODE ? 'not a regular file' : code });
  }

  /** Skipped folders (relPath without the trailing `/`) and why, for `sourceInSkipped`. */
  readonly skippedDirs: { rel: string; real: string; reason: SkipReason }[] = [];

  /**
   * Why an entry is excluded, or null. Precedence, highest first: `options.exclude`,
   * `options.include`, then the .gitignore rules (a negation that matches the entry
   * re-includes it), then the built-in excludes. Parents need no check: an excluded
   * folder is never entered.
   */
  private exclusion(name: string, rel: string, isDir: boolean, rules: Ignore | null): SkipReason | null {
    const subject = isDir ? `${rel}/` : rel;
    if (this.options.exclude?.ignores(subject)) return 'excluded';
    if (this.options.include?.ignores(subject)) return null;
    if (rules !== null) {
      const verdict = rules.test(subject);
      if (verdict.ignored) return 'gitignored';
      if (verdict.unignored) return null;
    }
    return defaultReason(name, isDir);
  }

  private isExcluded(name: string, rel: string, isDir: boolean, rules: Ignore | null): boolean {
    return this.exclusion(name, rel, isDir, rules) !== null;
  }

  /** Records a skipped file (only when it has a language) or folder. */
  private skip(rel: string, reason: SkipReason, isDir: boolean, real: string): void {
    if (isDir) {
      this.skipped.push({ relPath: `${rel}/`, reason });
      this.skippedDirs.push({ rel, real, reason });
    } else if (this.options.languageOf(rel) !== null) {
      this.skipped.push({ relPath: rel, reason });
    }
  }

  private inRoot(real: string): boolean {
    return real === this.rootReal || real.startsWith(this.rootPrefix);
  }

  private async walkDir(task: DirTask): Promise<void> {
    if (this.visited.has(task.real)) return;
    this.visited.add(task.real);
    let entries: Dirent[];
    try {
      entries = await readdir(task.real);
    } catch (err) {
      if (task.rel === '') throw rootUnreadable(err);
      this.failure(err, task.rel);
      return;
    }
    if (task.rel !== '' && !task.includeOnly && this.options.include?.ignores(`${task.rel}/`) !== true) {
      // What the folder's content says it is outranks its name, both ways.
      const marker = entries.find((entry) => CONTENT_MARKERS.has(entry.name));
      const isPackage = entries.some((entry) => PACKAGE_MARKERS.has(entry.name));
      const reason = marker !== undefined ? CONTENT_MARKERS.get(marker.name)! : isPackage ? null : (task.unlessPackage ?? null);
      if (reason !== null) {
        this.skip(task.rel, reason, true, task.real);
        return;
      }
    }
    let rules = task.rules;
    // Like git, a .gitignore that is a symlink is not followed: it could point outside the root.
    if (entries.some((entry) => entry.name === '.gitignore' && entry.isFile())) {
      const rel = task.rel === '' ? '.gitignore' : `${task.rel}/.gitignore`;
      const text = await this.readOptional(joinNative(task.real, '.gitignore'), rel);
      if (text !== null) rules = extendRules(rules, text, task.rel);
    }
    for (const entry of entries) {
      const rel = task.rel === '' ? entry.name : `${task.rel}/${entry.name}`;
      if (task.includeOnly && !this.options.include!.ignores(entry.isDirectory() ? `${rel}/` : rel)) {
        if (entry.isDirectory() && this.options.includeAncestors.has(rel) && !VCS_DIRS.has(entry.name)) {
          this.queue.push(() => this.walkDir({ rel, real: joinNative(task.real, entry.name), rules, includeOnly: true }));
        }
        continue;
      }
      this.visitEntry(entry, entry, rel, joinNative(task.real, entry.name), rules);
    }
  }

  /**
   * Classifies one entry without touching the disk when its type and name suffice; queues
   * a job when it needs more (a folder to list, a file to stat, a link to resolve).
   */
  private visitEntry(type: Dirent | Stats, entry: Dirent, rel: string, real: string, rules: Ignore | null): void {
    if (type.isFile()) {
      const reason = this.exclusion(entry.name, rel, false, rules);
      if (reason === null) this.acceptFile(rel, real, null);
      else if (reason !== 'gitignored' || !isSecretPath(rel)) this.skip(rel, reason, false, real);
    } else if (type.isDirectory()) {
      if (VCS_DIRS.has(entry.name)) return;
      const reason = this.exclusion(entry.name, rel, true, rules);
      if (reason === null) {
        this.queue.push(() => this.walkDir({ rel, real, rules }));
      } else if (AMBIGUOUS_DIRS.has(entry.name) && reason !== 'excluded' && reason !== 'gitignored') {
        this.queue.push(() => this.walkDir({ rel, real, rules, unlessPackage: reason }));
      } else if (OVERRIDABLE.has(reason) && this.options.includeAncestors.has(rel)) {
        this.queue.push(() => this.walkDir({ rel, real, rules, includeOnly: true }));
      } else {
        this.skip(rel, reason, true, real);
      }
    } else if (type.isSymbolicLink()) {
      if (!this.isExcluded(entry.name, rel, false, rules)) this.queue.push(() => this.visitLink(entry.name, rel, real, rules));
    } else if (type === entry && !(entry.isFIFO() || entry.isSocket() || entry.isBlockDevice() || entry.isCharacterDevice())) {
      // Some file systems do not report entry types in readdir; ask the entry itself.
      this.queue.push(async () => {
        try {
          this.visitEntry(await lstat(real), entry, rel, real, rules);
        } catch (err) {
          this.failure(err, rel);
        }
      });
    }
  }

  /**
   * A file that passed the ignore rules. `link` is set when `rel` is a symlink: the
   * target's own name must not be a secret either (`config.txt -> .env`), and its stats
   * are already known.
   */
  private acceptFile(rel: string, real: string, link: { targetRel: string; stats: Stats } | null): void {
    if (isSecretPath(rel) || (link !== null && isSecretPath(link.targetRel))) {
      this.skipped.push({ relPath: rel, reason: 'secret' });
      return;
    }
    const language = this.options.languageOf(rel);
    if (language === null) return;
    if (link !== null) {
      this.addFile(rel, real, language, link.stats);
      return;
    }
    this.queue.push(async () => {
      let stats: Stats;
      try {
        stats = await stat(real);
      } catch (err) {
        this.failure(err, rel);
        return;
      }
      if (stats.isFile()) this.addFile(rel, real, language, stats);
    });
  }

  private addFile(rel: string, real: string, language: string, stats: Stats): void {
    if (!canRead(stats, this.user)) {
      this.skipped.push({ relPath: rel, reason: 'unreadable', detail: 'EACCES' });
      return;
    }
    if (stats.size > this.options.maxFileBytes) {
      this.skipped.push({ relPath: rel, reason: 'too_large', detail: `${stats.size} bytes, limit ${this.options.maxFileBytes}` });
      return;
    }
    const absPath = this.rootPrefix + (path.sep === '/' ? rel : rel.replaceAll('/', path.sep));
    this.files.push({ file: { relPath: rel, absPath, size: stats.size, mtimeMs: stats.mtimeMs, language }, identity: real });
  }

  private async visitLink(name: string, rel: string, linkPath: string, rules: Ignore | null): Promise<void> {
    let target: string;
    let stats: Stats;
    try {
      target = await realpath(linkPath);
      if (!this.inRoot(target)) {
        this.skipped.push({ relPath: rel, reason: 'symlink_escape', detail: 'resolves outside the root' });
        return;
      }
      stats = await stat(target);
    } catch (err) {
      this.failure(err, rel);
      return;
    }
    const targetRel = target.slice(this.rootPrefix.length).split(path.sep).join('/');
    // A link into version-control metadata would index it by the back door.
    if (targetRel.split('/').some((segment) => VCS_DIRS.has(segment))) return;
    if (stats.isDirectory()) {
      if (!this.isExcluded(name, rel, true, rules)) this.linkedDirs.push({ rel, real: target, rules });
    } else if (stats.isFile()) {
      this.acceptFile(rel, target, { targetRel, stats });
    }
  }
}

/**
 * Whether the permission bits let this process read the file, decided the way the kernel
 * does (the owner class applies to the owner even when "other" could read). Answering
 * from the stats we already hold costs no extra call per file; ACLs are not considered,
 * and the reader still reports a file it then fails to open.
 */
function canRead(stats: Stats, user: ProcessUser | null): boolean {
  if (user === null) return true;
  if (stats.uid === user.uid) return (stats.mode & 0o400) !== 0;
  if (user.gids.has(stats.gid)) return (stats.mode & 0o040) !== 0;
  return (stats.mode & 0o004) !== 0;
}

interface ProcessUser {
  readonly uid: number;
  readonly gids: ReadonlySet<number>;
}

/** Who we are for permission checks; null where the bits say nothing (root, Windows). */
function processUser(): ProcessUser | null {
  const uid = process.getuid?.();
  if (uid === undefined || uid === 0) return null;
  return { uid, gids: new Set([process.getgid?.() ?? -1, ...(process.getgroups?.() ?? [])]) };
}

/** The rules of `<dirRel>/.gitignore` added, with the highest precedence so far. */
function extendRules(rules: Ignore | null, text: string, dirRel: string): Ignore {
  const extended = ignore(IGNORE_OPTIONS);
  if (rules !== null) extended.add(rules);
  return extended.add(dirRel === '' ? text : rebaseGitignore(text, dirRel));
}

function rootUnreadable(err: unknown): PctxError {
  return invalidArgument('root', `the folder cannot be read (${errorCode(err) ?? String(err)})`);
}

async function resolveRoot(root: string): Promise<string> {
  let real: string;
  try {
    real = await realpath(path.resolve(root));
  } catch (err) {
    const code = errorCode(err);
    if (code !== undefined && VANISHED_CODES.has(code)) throw new PctxError('ROOT_NOT_FOUND', { path: root }, { cause: err });
    throw rootUnreadable(err);
  }
  let stats: Stats;
  try {
    stats = await stat(real);
  } catch (err) {
    throw rootUnreadable(err);
  }
  if (!stats.isDirectory()) throw new PctxError('NOT_A_DIRECTORY', { path: root });
  return real;
}

/**
 * Lists the files to index under `root` (which may itself be a symlink to a folder).
 *
 * - Ignore rules, from lowest to highest precedence: the built-in excludes (dependencies,
 *   build output, caches, minified and lock files), `.git/info/exclude`, every .gitignore
 *   with git's nested semantics (negation, folder-only patterns, anchoring), then
 *   `options.exclude`. `.git`, `.hg` and `.svn` are never entered, nor is any folder holding
 *   `pyvenv.cfg`. Ignored folders are never entered; ignored entries are not reported.
 *   Only the root's own ignore files count, not those of a repository enclosing it.
 * - Secrets (`isSecretPath`) are reported as `secret` whatever their language.
 * - Symlinks are followed only inside the root; one whose target leaves it is reported as
 *   `symlink_escape`, a broken one is skipped silently. Each real folder is walked once
 *   (its real path wins over links to it, then links in path order) and each real file is
 *   listed once, under the first of its paths in sorted order.
 * - Files with a language larger than `maxFileBytes` are reported as `too_large`; folders
 *   and files that cannot be read are reported as `unreadable`.
 *
 * @throws PctxError `ROOT_NOT_FOUND` when `root` does not exist, `NOT_A_DIRECTORY` when it
 *   is not a folder, `INVALID_ARGUMENT` for bad options or a root that cannot be read.
 */
export async function discoverFiles(root: string, options: DiscoveryOptions): Promise<DiscoveryResult> {
  if (typeof root !== 'string' || root === '') throw invalidArgument('root', 'must be a non-empty string');
  const resolved = resolveOptions(options);
  resolved.signal?.throwIfAborted();
  const rootReal = await resolveRoot(root);
  const walk = new Walk(rootReal, resolved);
  await walk.run();

  walk.files.sort((a, b) => compareCodeUnits(a.file.relPath, b.file.relPath));
  const seen = new Set<string>();
  const files: DiscoveredFile[] = [];
  for (const { file, identity } of walk.files) {
    if (seen.has(identity)) continue;
    seen.add(identity);
    files.push(file);
  }
  const sourceInSkipped = files.length === 0 ? await probeSkippedDirs(walk.skippedDirs, resolved) : [];
  return { root: rootReal, files, skipped: walk.skipped.sort(byRelPath), sourceInSkipped };
}

/**
 * Counts source files (by `languageOf`) in the skipped folders, reading at most
 * SOURCE_PROBE_ENTRIES entries in all: enough to tell "all the code is in `dist/`" from
 * "there is no code here", without walking a whole node_modules tree.
 */
async function probeSkippedDirs(dirs: readonly { rel: string; real: string; reason: SkipReason }[], options: ResolvedOptions): Promise<DiscoveryResult['sourceInSkipped']> {
  let budget = SOURCE_PROBE_ENTRIES;
  const out: DiscoveryResult['sourceInSkipped'] = [];
  for (const dir of [...dirs].sort((a, b) => compareCodeUnits(a.rel, b.rel))) {
    if (dir.reason === 'excluded' && options.exclude === null) continue;
    let files = 0;
    const stack = [{ rel: dir.rel, real: dir.real }];
    while (stack.length > 0 && budget > 0) {
      const next = stack.pop()!;
      let entries: Dirent[];
      try {
        entries = await readdir(next.real);
      } catch {
        continue;
      }
      for (const entry of entries) {
        if (--budget <= 0) break;
        const rel = `${next.rel}/${entry.name}`;
        if (entry.isDirectory() && !VCS_DIRS.has(entry.name)) stack.push({ rel, real: joinNative(next.real, entry.name) });
        else if (entry.isFile() && !isSecretPath(rel) && options.languageOf(rel) !== null) files++;
      }
    }
    if (files > 0) out.push({ relPath: `${dir.rel}/`, reason: dir.reason, files });
    if (budget <= 0) break;
  }
  return out;
}

/**
 * What to tell a user whose folder gave no file: which skipped folders hold source and
 * how to include them. Empty when nothing was skipped that holds source.
 */
export function describeSkips(result: Pick<DiscoveryResult, 'sourceInSkipped'>): string[] {
  if (result.sourceInSkipped.length === 0) return [];
  const folders = result.sourceInSkipped.slice(0, 5);
  const list = folders.map((d) => `${d.relPath} (${d.reason.replace('_', ' ')}, ${d.files} source file${d.files === 1 ? '' : 's'})`).join(', ');
  // Suggest dependencies only when nothing else holds source: they are rarely the point.
  const candidates = folders.filter((d) => d.reason !== 'excluded');
  const preferred = candidates.filter((d) => d.reason !== 'dependencies');
  const patterns = (preferred.length > 0 ? preferred : candidates).map((d) => d.relPath);
  const notes = [`No source files were found outside skipped folders; source was found in ${list}.`];
  if (patterns.length > 0) {
    notes.push(`To index it: purecontext-mcp index <dir> --include ${patterns.join(' ')} (index_folder: include: ${JSON.stringify(patterns)}).`);
  }
  if (folders.some((d) => d.reason === 'excluded')) notes.push('Some of it is excluded by your --exclude patterns: index again with --no-exclude (index_folder: exclude: []) to clear them.');
  return notes;
}
