import type { TenantDb } from '../../src/tenant/tenant-db.js';
import { splitIdentifier } from '../../src/engine/tokens.js';
import { sample, shuffle } from './random.js';

export const QUERY_CLASSES = ['exact', 'subword', 'prefix', 'common', 'descriptive'] as const;
export type QueryClass = (typeof QUERY_CLASSES)[number];

export interface BenchQuery {
  cls: QueryClass;
  query: string;
  /** For `exact`: the name the top hit should carry. */
  expect?: string;
}

/** Words that match a large share of any code base: the expensive, unrankable case. */
export const COMMON_WORDS = ['get', 'test', 'init', 'read', 'open', 'set', 'run', 'close', 'write', 'parse'];

/** What an agent asks when it does not know the name (written for Python and JavaScript trees). */
export const DESCRIPTIVE_QUERIES = [
  'parse command line arguments',
  'read a file line by line',
  'http request headers',
  'compress data with zlib',
  'format a date as a string',
  'send an email over smtp',
  'open a sqlite database connection',
  'json decode error',
  'encode base64',
  'create a temporary directory',
  'walk a directory tree',
  'match a regular expression',
  'split a path into parts',
  'thread pool executor',
  'run a subprocess and capture output',
  'parse an xml document',
  'url quote and unquote',
  'random number generator seed',
  'hash a password',
  'ssl certificate verification',
  'socket connect timeout',
  'logging handler for files',
  'unit test assertion helpers',
  'deep copy an object',
  'serialize objects with pickle',
  'csv reader dialect',
  'decimal rounding mode',
  'calendar month names',
  'async event loop',
  'wait for a future to complete',
  'lock for thread synchronization',
  'heap queue push and pop',
  'sort a list with a key function',
  'binary search insertion point',
  'read configuration from ini file',
  'tokenize python source code',
  'abstract syntax tree visitor',
  'import a module by name',
  'get environment variable',
  'terminal colors and cursor',
  'progress bar rendering',
  'semantic version comparison',
  'resolve package dependencies',
  'download a file over https',
  'cache with least recently used eviction',
  'retry with exponential backoff',
  'glob pattern matching',
  'gzip file stream',
  'mime type guessing',
  'signal handler for interrupts',
];

/**
 * A realistic query mix drawn from the symbols of one database (seeded, so every run asks
 * the same questions): exact identifiers, their sub-word forms (`user by id`), name
 * prefixes of 4–6 characters, common single words, and descriptive phrases.
 */
export function buildQuerySet(db: TenantDb, random: () => number, sizes: { exact: number; subword: number; prefix: number } = { exact: 500, subword: 200, prefix: 200 }): BenchQuery[] {
  const names = db.prepare("SELECT DISTINCT name FROM symbols WHERE length(name) >= 3 AND name GLOB '*[A-Za-z]*' ORDER BY name").pluck().all() as string[];
  const out: BenchQuery[] = [];
  for (const name of sample(names, sizes.exact, random)) out.push({ cls: 'exact', query: name, expect: name });

  const multi = names.filter((n) => splitIdentifier(n).length >= 2);
  for (const name of sample(multi, sizes.subword, random)) {
    const subs = splitIdentifier(name);
    // `getUserById` → `get user by id` or, half the time for longer names, `user by id`.
    out.push({ cls: 'subword', query: (subs.length >= 3 && random() < 0.5 ? subs.slice(1) : subs).join(' ') });
  }

  const long = names.filter((n) => n.length >= 7 && /^[A-Za-z_]/.test(n));
  for (const name of sample(long, sizes.prefix, random)) {
    const start = name.replace(/^_+/, '');
    out.push({ cls: 'prefix', query: start.slice(0, 4 + Math.floor(random() * 3)) });
  }
  for (const word of COMMON_WORDS) out.push({ cls: 'common', query: word });
  for (const phrase of DESCRIPTIVE_QUERIES) out.push({ cls: 'descriptive', query: phrase });
  return out;
}

/**
 * The order in which a timed loop asks: every query `rounds` times, and each class
 * repeated until it has at least `minPerClass` samples (the 10 common words would
 * otherwise give a p99 of ten numbers), all shuffled together.
 */
export function schedule(queries: BenchQuery[], rounds: number, minPerClass: number, random: () => number): BenchQuery[] {
  const out: BenchQuery[] = [];
  for (const cls of QUERY_CLASSES) {
    const ofClass = queries.filter((q) => q.cls === cls);
    if (ofClass.length === 0) continue;
    const reps = Math.max(rounds, Math.ceil(minPerClass / ofClass.length));
    for (let i = 0; i < reps; i++) out.push(...ofClass);
  }
  return shuffle(out, random);
}
