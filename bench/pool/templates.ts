import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { splitIdentifier } from '../../src/engine/tokens.js';
import { tenantPaths } from '../../src/tenant/tenant-paths.js';
import { resolveCorpus } from '../lib/corpora.js';
import { benchEngine } from '../lib/engine.js';
import { ftsText } from '../../src/engine/indexer/derived-text.js';
import type { FtsText } from '../../src/engine/indexer/parse-protocol.js';
import { COMMON_WORDS } from '../lib/queries.js';
import { sample } from '../lib/random.js';

/**
 * Small real packages, each indexed once by the Engine into a template tenant. Tenants are
 * copies of these (Python and JavaScript, 150–450 symbols each), so every tenant holds
 * real code, real FTS rows and real embeddings.
 */
const CANDIDATES: { corpus: 'stdlib' | 'npm'; folder: string }[] = [
  { corpus: 'stdlib', folder: 'wsgiref' },
  { corpus: 'stdlib', folder: 'xmlrpc' },
  { corpus: 'stdlib', folder: 'collections' },
  { corpus: 'stdlib', folder: 're' },
  { corpus: 'stdlib', folder: 'urllib' },
  { corpus: 'stdlib', folder: 'logging' },
  { corpus: 'stdlib', folder: 'http' },
  { corpus: 'stdlib', folder: 'json' },
  { corpus: 'stdlib', folder: 'concurrent' },
  { corpus: 'stdlib', folder: 'xml/dom' },
  { corpus: 'npm', folder: 'semver' },
  { corpus: 'npm', folder: 'npm-registry-fetch' },
  { corpus: 'npm', folder: 'minipass-fetch' },
  { corpus: 'npm', folder: 'cacache' },
  { corpus: 'npm', folder: 'pacote' },
  { corpus: 'npm', folder: '@npmcli/config' },
  { corpus: 'npm', folder: 'node-gyp/lib' },
  { corpus: 'npm', folder: '@npmcli/arborist/lib/arborist' },
];
const MIN_SYMBOLS = 40;
const MAX_SYMBOLS = 700;

export interface FileRowData {
  id: number;
  path: string;
  language: string;
  content_hash: string;
  size: number;
  mtime_ms: number;
  line_count: number;
  content: string;
  indexed_at: string;
}
export interface SymbolRowData {
  id: number;
  file_id: number;
  uid: string;
  name: string;
  qualified_name: string;
  kind: string;
  language: string;
  start_line: number;
  end_line: number;
  start_byte: number;
  end_byte: number;
  signature: string;
  doc: string | null;
  parent_id: number | null;
}
export interface EdgeRowData {
  id: number;
  from_file_id: number;
  specifier: string;
  kind: string;
  line: number;
  names: string;
  to_path: string | null;
}

/** One template: its database file and its rows, loaded once for copying into other layouts. */
export interface Template {
  name: string;
  tenantId: string;
  dbFile: string;
  bytes: number;
  repo: { name: string; root_path: string; created_at: string; indexed_at: string | null };
  files: FileRowData[];
  symbols: SymbolRowData[];
  fts: FtsText[];
  /** Embedding blob of each symbol, same order as `symbols`. */
  vectors: Buffer[];
  edges: EdgeRowData[];
  /** Queries an agent would ask of this code: exact names, prefixes, sub-words, common words. */
  queries: string[];
}

function loadTemplate(name: string, tenantId: string, dbFile: string, random: () => number): Template {
  const db = new Database(dbFile, { readonly: true });
  try {
    const repo = db.prepare('SELECT name, root_path, created_at, indexed_at FROM repos').get() as Template['repo'];
    const files = db.prepare('SELECT id, path, language, content_hash, size, mtime_ms, line_count, content, indexed_at FROM files ORDER BY id').all() as FileRowData[];
    const symbols = db
      .prepare('SELECT id, file_id, uid, name, qualified_name, kind, language, start_line, end_line, start_byte, end_byte, signature, doc, parent_id FROM symbols ORDER BY id')
      .all() as SymbolRowData[];
    const vectorOf = new Map((db.prepare('SELECT symbol_id, vector FROM embeddings').all() as { symbol_id: number; vector: Buffer }[]).map((e) => [e.symbol_id, e.vector]));
    const edges = db.prepare('SELECT id, from_file_id, specifier, kind, line, names, to_path FROM dep_edges ORDER BY id').all() as EdgeRowData[];
    const names = [...new Set(symbols.map((s) => s.name).filter((n) => n.length >= 3))];
    const queries = [
      ...sample(names, 30, random),
      ...sample(names.filter((n) => n.replace(/^_+/, '').length >= 6), 10, random).map((n) => n.replace(/^_+/, '').slice(0, 4 + Math.floor(random() * 3))),
      ...sample(names.filter((n) => splitIdentifier(n).length >= 2), 10, random).map((n) => splitIdentifier(n).join(' ')),
      ...COMMON_WORDS.slice(0, 5),
    ];
    return {
      name,
      tenantId,
      dbFile,
      bytes: fs.statSync(dbFile).size,
      repo,
      files,
      symbols,
      fts: (() => {
        const pathOf = new Map(files.map((f) => [f.id, f.path]));
        return symbols.map((s) => ftsText({ name: s.name, qualifiedName: s.qualified_name, signature: s.signature, doc: s.doc }, pathOf.get(s.file_id)!));
      })(),
      vectors: symbols.map((s) => vectorOf.get(s.id)!),
      edges,
      queries,
    };
  } finally {
    db.close();
  }
}

/**
 * Indexes every candidate folder found on this machine with the real Engine (vectors
 * left for a first semantic query, as `vectors: 'skip'` does) into `dir`, and loads the
 * rows of those with a tenant-sized symbol count.
 */
export async function buildTemplates(dir: string, random: () => number, log: (line: string) => void): Promise<Template[]> {
  const roots = { stdlib: resolveCorpus('stdlib').root, npm: resolveCorpus('npm').root };
  const engine = benchEngine(dir);
  const made: { name: string; tenantId: string }[] = [];
  try {
    let n = 0;
    for (const c of CANDIDATES) {
      const root = path.join(roots[c.corpus], c.folder);
      if (!fs.existsSync(root)) continue;
      const tenantId = (0xf0000000 + ++n).toString(16);
      const res = await engine.indexFolder(tenantId, { path: root }, { vectors: 'skip' });
      if (res.symbols < MIN_SYMBOLS || res.symbols > MAX_SYMBOLS) {
        log(`template ${c.corpus}:${c.folder} skipped (${res.symbols} symbols)`);
        continue;
      }
      made.push({ name: `${c.corpus}:${c.folder}`, tenantId });
    }
  } finally {
    await engine.close();
  }
  if (made.length < 4) throw new Error(`only ${made.length} template folders found (need 4): is the Python standard library or npm missing?`);
  return made.map((m) => loadTemplate(m.name, m.tenantId, tenantPaths(dir, m.tenantId).db, random));
}
