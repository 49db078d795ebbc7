import type Database from 'better-sqlite3';
import type { TenantDb } from '../../tenant/tenant-db.js';
import type { ExtractedImport, ExtractedSymbol, LanguageId } from '../../parse/types.js';
import type { FileRecord, FtsText } from './parse-protocol.js';

export interface StoredFile {
  id: number;
  hash: string;
  size: number;
  mtimeMs: number;
  language: string;
}

export interface RepoRow {
  id: number;
  name: string;
  rootPath: string;
}

export interface EdgeRow {
  id: number;
  fromFileId: number;
  specifier: string;
  kind: string;
  /** JSON array of imported names. */
  names: string;
  path: string;
  language: string;
}

/** Folder name → repository name: lowercase, [a-z0-9._-], never empty. */
export function repoSlug(folderName: string): string {
  const slug = folderName
    .toLowerCase()
    .replace(/[^a-z0-9._-]+/g, '-')
    .replace(/^[-.]+|-+$/g, '');
  return slug.length > 0 ? slug.slice(0, 64) : 'repo';
}

/**
 * Public, stable symbol id: `<repo>:<path>::<qualifiedName>#<kind>`, with `@2`, `@3`…
 * for same-named declarations of one kind in one file (overloads). Stable across
 * re-index runs as long as the declaration keeps its name, kind and file.
 */
export function symbolUid(repo: string, relPath: string, qualifiedName: string, kind: string, ordinal: number): string {
  const base = `${repo}:${relPath}::${qualifiedName}#${kind}`;
  return ordinal > 1 ? `${base}@${ordinal}` : base;
}

/**
 * All writes of one index run, as prepared statements on the run's own connection. The
 * caller owns the transaction; nothing here commits.
 */
export class IndexWriter {
  private readonly s: Record<string, Database.Statement>;

  constructor(
    private readonly db: TenantDb,
    private readonly tenantId: string,
    private readonly now: () => Date,
  ) {
    const p = (sql: string) => db.prepare(sql);
    this.s = {
      repoByRoot: p('SELECT id, name, root_path AS rootPath FROM repos WHERE tenant_id = ? AND root_path = ?'),
      repoNameTaken: p('SELECT 1 FROM repos WHERE tenant_id = ? AND name = ?'),
      insertRepo: p('INSERT INTO repos (tenant_id, name, root_path, created_at) VALUES (?, ?, ?, ?)'),
      files: p('SELECT path, id, content_hash AS hash, size, mtime_ms AS mtimeMs, language FROM files WHERE tenant_id = ? AND repo_id = ?'),
      insertFile: p(
        `INSERT INTO files (tenant_id, repo_id, path, language, content_hash, size, mtime_ms, line_count, content, indexed_at, has_errors)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      ),
      updateFile: p(
        `UPDATE files SET language = ?, content_hash = ?, size = ?, mtime_ms = ?, line_count = ?, content = ?, indexed_at = ?, has_errors = ?
         WHERE id = ? AND tenant_id = ?`,
      ),
      touchFile: p('UPDATE files SET size = ?, mtime_ms = ? WHERE id = ? AND tenant_id = ?'),
      deleteFts: p('DELETE FROM symbols_fts WHERE rowid IN (SELECT id FROM symbols WHERE file_id = ? AND tenant_id = ?)'),
      countEmbeddings: p('SELECT count(*) FROM embeddings WHERE symbol_id IN (SELECT id FROM symbols WHERE file_id = ? AND tenant_id = ?)'),
      deleteSymbols: p('DELETE FROM symbols WHERE file_id = ? AND tenant_id = ?'),
      deleteEdges: p('DELETE FROM dep_edges WHERE from_file_id = ? AND tenant_id = ?'),
      deleteFile: p('DELETE FROM files WHERE id = ? AND tenant_id = ?'),
      insertSymbol: p(
        `INSERT INTO symbols (tenant_id, repo_id, file_id, uid, name, qualified_name, kind, language,
           start_line, end_line, start_byte, end_byte, signature, doc, parent_id, local, body_terms)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      ),
      insertFts: p('INSERT INTO symbols_fts (rowid, name, qualified, path, signature, doc, body) VALUES (?, ?, ?, ?, ?, ?, ?)'),
      insertEmbedding: p('INSERT INTO embeddings (symbol_id, tenant_id, vector) VALUES (?, ?, ?)'),
      insertEdge: p(
        'INSERT INTO dep_edges (tenant_id, repo_id, from_file_id, specifier, kind, line, names, to_path) VALUES (?, ?, ?, ?, ?, ?, ?, ?)',
      ),
      edgesOfRepo: p(
        `SELECT e.id, e.from_file_id AS fromFileId, e.specifier, e.kind, e.names, f.path, f.language FROM dep_edges e JOIN files f ON f.id = e.from_file_id
         WHERE e.tenant_id = ? AND e.repo_id = ?`,
      ),
      edgesOfFile: p(
        `SELECT e.id, e.from_file_id AS fromFileId, e.specifier, e.kind, e.names, f.path, f.language FROM dep_edges e JOIN files f ON f.id = e.from_file_id
         WHERE e.tenant_id = ? AND e.from_file_id = ?`,
      ),
      setEdgeTarget: p('UPDATE dep_edges SET to_path = ? WHERE id = ? AND tenant_id = ?'),
      repoPaths: p('SELECT path FROM files WHERE tenant_id = ? AND repo_id = ?'),
      repoCounts: p(
        `SELECT (SELECT count(*) FROM files WHERE tenant_id = @tenantId AND repo_id = @repoId) AS files,
                (SELECT count(*) FROM symbols WHERE tenant_id = @tenantId AND repo_id = @repoId) AS symbols,
                (SELECT count(*) FROM dep_edges WHERE tenant_id = @tenantId AND repo_id = @repoId) AS imports`,
      ),
      updateRepo: p('UPDATE repos SET indexed_at = ?, file_count = ?, symbol_count = ? WHERE id = ? AND tenant_id = ?'),
    };
  }

  /**
   * The repo row for this root, created on first index with a name unique in the tenant
   * (`wanted`, then `wanted-2`…). A root already indexed keeps its name whatever is
   * wanted: symbol ids start with it, and agents hold those ids.
   */
  upsertRepo(rootPath: string, wanted: string): RepoRow {
    const found = this.s.repoByRoot!.get(this.tenantId, rootPath) as RepoRow | undefined;
    if (found) return found;
    let name = wanted;
    for (let n = 2; this.s.repoNameTaken!.get(this.tenantId, name); n++) name = `${wanted}-${n}`;
    const info = this.s.insertRepo!.run(this.tenantId, name, rootPath, this.now().toISOString());
    return { id: Number(info.lastInsertRowid), name, rootPath };
  }

  storedFiles(repoId: number): Map<string, StoredFile> {
    const map = new Map<string, StoredFile>();
    for (const row of this.s.files!.all(this.tenantId, repoId) as (StoredFile & { path: string })[]) {
      map.set(row.path, { id: row.id, hash: row.hash, size: row.size, mtimeMs: row.mtimeMs, language: row.language });
    }
    return map;
  }

  /** Removes a file's symbols (with FTS rows and embeddings) and edges; returns embeddings removed. */
  clearFile(fileId: number): number {
    const embeddings = this.s.countEmbeddings!.pluck().get(fileId, this.tenantId) as number;
    this.s.deleteFts!.run(fileId, this.tenantId);
    this.s.deleteSymbols!.run(fileId, this.tenantId);
    this.s.deleteEdges!.run(fileId, this.tenantId);
    return embeddings;
  }

  /** Deletes a file and everything derived from it; returns embeddings removed. */
  removeFile(fileId: number): number {
    const removed = this.clearFile(fileId);
    this.s.deleteFile!.run(fileId, this.tenantId);
    return removed;
  }

  touchFile(fileId: number, size: number, mtimeMs: number): void {
    this.s.touchFile!.run(size, mtimeMs, fileId, this.tenantId);
  }

  /** Inserts or replaces a file row; returns its id. */
  writeFile(repoId: number, existingId: number | undefined, f: FileRecord): number {
    const at = this.now().toISOString();
    if (existingId !== undefined) {
      this.s.updateFile!.run(f.language, f.hash, f.size, f.mtimeMs, f.lineCount, f.content, at, f.hasErrors ? 1 : 0, existingId, this.tenantId);
      return existingId;
    }
    const info = this.s.insertFile!.run(this.tenantId, repoId, f.relPath, f.language, f.hash, f.size, f.mtimeMs, f.lineCount, f.content, at, f.hasErrors ? 1 : 0);
    return Number(info.lastInsertRowid);
  }

  /**
   * Inserts a file's symbols in array order (parents precede children), with their FTS
   * rows and, when given, their vectors (`recordBytes` per symbol). Returns the new ids.
   */
  writeSymbols(
    repo: RepoRow,
    fileId: number,
    relPath: string,
    language: string,
    symbols: ExtractedSymbol[],
    fts: FtsText[],
    vectors: Uint8Array | null,
    recordBytes: number,
  ): number[] {
    const ids: number[] = new Array(symbols.length);
    const ordinals = new Map<string, number>();
    for (let i = 0; i < symbols.length; i++) {
      const sym = symbols[i]!;
      const key = `${sym.qualifiedName}#${sym.kind}`;
      const ordinal = (ordinals.get(key) ?? 0) + 1;
      ordinals.set(key, ordinal);
      const parentId = sym.parent !== null && sym.parent < i ? ids[sym.parent]! : null;
      const info = this.s.insertSymbol!.run(
        this.tenantId,
        repo.id,
        fileId,
        symbolUid(repo.name, relPath, sym.qualifiedName, sym.kind, ordinal),
        sym.name,
        sym.qualifiedName,
        sym.kind,
        language,
        sym.startLine,
        sym.endLine,
        sym.startByte,
        sym.endByte,
        sym.signature,
        sym.doc,
        parentId,
        sym.local ? 1 : 0,
        fts[i]!.body,
      );
      const id = Number(info.lastInsertRowid);
      ids[i] = id;
      const t = fts[i]!;
      this.s.insertFts!.run(id, t.name, t.qualified, t.path, t.signature, t.doc, t.body);
      if (vectors) {
        const record = Buffer.from(vectors.buffer, vectors.byteOffset + i * recordBytes, recordBytes);
        this.s.insertEmbedding!.run(id, this.tenantId, record);
      }
    }
    return ids;
  }

  /**
   * Inserts a file's import edges, each with its resolved target (`targets[i]`, null when
   * external or unresolved; all null when not given: resolved later with setEdgeTarget).
   */
  writeImports(repoId: number, fileId: number, imports: ExtractedImport[], targets: readonly (string | null)[] | null = null): void {
    for (let i = 0; i < imports.length; i++) {
      const imp = imports[i]!;
      this.s.insertEdge!.run(this.tenantId, repoId, fileId, imp.specifier, imp.kind, imp.line, JSON.stringify(imp.names), targets?.[i] ?? null);
    }
  }

  repoPaths(repoId: number): string[] {
    return this.s.repoPaths!.pluck().all(this.tenantId, repoId) as string[];
  }

  /** Edges to (re)resolve: the whole repo, or only those leaving the given files. */
  edges(repoId: number, fromFileIds: Iterable<number> | null): EdgeRow[] {
    type Row = EdgeRow;
    if (fromFileIds === null) return this.s.edgesOfRepo!.all(this.tenantId, repoId) as Row[];
    const rows: Row[] = [];
    for (const fileId of fromFileIds) rows.push(...(this.s.edgesOfFile!.all(this.tenantId, fileId) as Row[]));
    return rows;
  }

  setEdgeTarget(edgeId: number, toPath: string | null): void {
    this.s.setEdgeTarget!.run(toPath, edgeId, this.tenantId);
  }

  /**
   * Recounts the ranking signals of the import graph for the whole repository: how many
   * files import each file, and how many import statements name each symbol of it. Whole
   * repo every run: an edge added in one file changes the counts of another.
   * `symbolsFresh`: every symbol of the repo was inserted by this run (a first index), so
   * none holds a count to reset; the reset is a scan of the whole symbols table.
   */
  countImporters(repoId: number, symbolsFresh = false): void {
    this.db
      .prepare(
        `UPDATE files SET importers = coalesce((SELECT count(DISTINCT e.from_file_id) FROM dep_edges e
           WHERE e.repo_id = files.repo_id AND e.to_path = files.path AND e.tenant_id = files.tenant_id), 0)
         WHERE repo_id = ? AND tenant_id = ?`,
      )
      .run(repoId, this.tenantId);
    if (!symbolsFresh) this.db.prepare('UPDATE symbols SET importers = 0 WHERE repo_id = ? AND tenant_id = ? AND importers <> 0').run(repoId, this.tenantId);
    const named = this.db
      .prepare(
        `SELECT f.id AS fileId, j.value AS name, count(DISTINCT e.from_file_id) AS n
         FROM dep_edges e JOIN files f ON f.repo_id = e.repo_id AND f.path = e.to_path, json_each(e.names) j
         WHERE e.repo_id = ? AND e.tenant_id = ? AND e.to_path IS NOT NULL AND e.names <> '[]'
         GROUP BY f.id, j.value`,
      )
      .all(repoId, this.tenantId) as { fileId: number; name: string; n: number }[];
    const set = this.db.prepare('UPDATE symbols SET importers = ? WHERE file_id = ? AND name = ? AND tenant_id = ?');
    for (const row of named) set.run(row.n, row.fileId, row.name, this.tenantId);
  }

  finishRepo(repoId: number): { files: number; symbols: number; imports: number } {
    const counts = this.s.repoCounts!.get({ tenantId: this.tenantId, repoId }) as { files: number; symbols: number; imports: number };
    this.s.updateRepo!.run(this.now().toISOString(), counts.files, counts.symbols, repoId, this.tenantId);
    return counts;
  }
}
