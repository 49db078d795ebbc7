import type Database from 'better-sqlite3';
import type { Template } from './templates.js';

/**
 * Writes a template's rows into a database under another tenant id, with ids shifted so
 * that many copies live side by side: into the shared database (10,000 tenants in one
 * file) and into one per-tenant database grown to 100k symbols. `ftsTenant` adds the
 * tenant id as the FTS row's `tenant` column, which only the shared layout has.
 */
export class RowCopier {
  private readonly s: Record<'repo' | 'file' | 'symbol' | 'fts' | 'vector' | 'edge', Database.Statement>;
  private next = { repo: 0, file: 0, symbol: 0, edge: 0 };

  constructor(
    private readonly db: Database.Database,
    private readonly ftsTenant: boolean,
  ) {
    this.s = {
      repo: db.prepare('INSERT INTO repos (id, tenant_id, name, root_path, created_at, indexed_at, file_count, symbol_count) VALUES (?, ?, ?, ?, ?, ?, ?, ?)'),
      file: db.prepare(
        'INSERT INTO files (id, tenant_id, repo_id, path, language, content_hash, size, mtime_ms, line_count, content, indexed_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)',
      ),
      symbol: db.prepare(
        `INSERT INTO symbols (id, tenant_id, repo_id, file_id, uid, name, qualified_name, kind, language, start_line, end_line, start_byte, end_byte, signature, doc, parent_id)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      ),
      fts: ftsTenant
        ? db.prepare('INSERT INTO symbols_fts (rowid, name, qualified, path, signature, doc, body, tenant) VALUES (?, ?, ?, ?, ?, ?, ?, ?)')
        : db.prepare('INSERT INTO symbols_fts (rowid, name, qualified, path, signature, doc, body) VALUES (?, ?, ?, ?, ?, ?, ?)'),
      vector: db.prepare('INSERT INTO embeddings (symbol_id, tenant_id, vector) VALUES (?, ?, ?)'),
      edge: db.prepare('INSERT INTO dep_edges (id, tenant_id, repo_id, from_file_id, specifier, kind, line, names, to_path) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)'),
    };
    // Continue after whatever the database already holds.
    const max = (table: string) => (db.prepare(`SELECT coalesce(max(id), 0) FROM ${table}`).pluck().get() as number) + 0;
    this.next = { repo: max('repos'), file: max('files'), symbol: Math.max(max('symbols'), this.seq()), edge: max('dep_edges') };
  }

  private seq(): number {
    const row = this.db.prepare("SELECT seq FROM sqlite_sequence WHERE name = 'symbols'").pluck().get() as number | undefined;
    return row ?? 0;
  }

  /** A new repository row for the tenant; returns its id. */
  addRepo(tenantId: string, t: Template, name: string, fileCount: number, symbolCount: number): number {
    const id = ++this.next.repo;
    this.s.repo.run(id, tenantId, name, `${t.repo.root_path}#${tenantId}#${id}`, t.repo.created_at, t.repo.indexed_at, fileCount, symbolCount);
    return id;
  }

  /** Copies every file, symbol (with FTS row and vector) and import edge of `t` into `repoId`; `pathPrefix` keeps paths unique. */
  copyRows(tenantId: string, t: Template, repoId: number, pathPrefix = '', uidSuffix = ''): number {
    const fileBase = this.next.file;
    const symbolBase = this.next.symbol;
    const edgeBase = this.next.edge;
    let maxFile = 0;
    for (const f of t.files) {
      this.s.file.run(fileBase + f.id, tenantId, repoId, pathPrefix + f.path, f.language, f.content_hash, f.size, f.mtime_ms, f.line_count, f.content, f.indexed_at);
      maxFile = Math.max(maxFile, f.id);
    }
    let maxSymbol = 0;
    for (let i = 0; i < t.symbols.length; i++) {
      const s = t.symbols[i]!;
      const id = symbolBase + s.id;
      this.s.symbol.run(
        id,
        tenantId,
        repoId,
        fileBase + s.file_id,
        s.uid + uidSuffix,
        s.name,
        s.qualified_name,
        s.kind,
        s.language,
        s.start_line,
        s.end_line,
        s.start_byte,
        s.end_byte,
        s.signature,
        s.doc,
        s.parent_id === null ? null : symbolBase + s.parent_id,
      );
      const x = t.fts[i]!;
      if (this.ftsTenant) this.s.fts.run(id, x.name, x.qualified, x.path, x.signature, x.doc, x.body, tenantId);
      else this.s.fts.run(id, x.name, x.qualified, x.path, x.signature, x.doc, x.body);
      this.s.vector.run(id, tenantId, t.vectors[i]!);
      maxSymbol = Math.max(maxSymbol, s.id);
    }
    let maxEdge = 0;
    for (const e of t.edges) {
      this.s.edge.run(edgeBase + e.id, tenantId, repoId, fileBase + e.from_file_id, e.specifier, e.kind, e.line, e.names, e.to_path === null ? null : pathPrefix + e.to_path);
      maxEdge = Math.max(maxEdge, e.id);
    }
    this.next.file += maxFile;
    this.next.symbol += maxSymbol;
    this.next.edge += maxEdge;
    return t.symbols.length;
  }
}
