import type { Node } from 'web-tree-sitter';
import type { ExtractedImport, ExtractedSymbol, ImportKind, SymbolKind } from '../types.js';
import { ByteOffsets } from './byte-offsets.js';
import type { LanguageSpec, Scope, ScopeKind } from './language-spec.js';
import { docFromComments, signatureOf } from './text.js';

export const FILE_SCOPE: Scope = Object.freeze({ parent: null, prefix: '', kind: 'file', local: false });

export interface EmitOptions {
  /** Where the signature stops: a body node (its start) or a string index. Default: node end. */
  sigEnd?: Node | number | null;
  /** Where the signature starts. Default: the node start. */
  sigStart?: number;
  /** Rewrites the collapsed signature, e.g. to drop annotations. */
  sigMap?: (sig: string) => string;
  /** Explicit doc (Python docstrings); comments above the declaration otherwise. */
  doc?: string | null;
  /** Qualifier to use instead of the scope's prefix (Go receivers, C++ `Foo::bar`). */
  qualifier?: string;
  /** Node whose extent the symbol covers instead of the declaration or its wrapper. */
  range?: Node;
}

/**
 * Collects the symbols and imports of one parsed file. Owns the shared walk: handlers from a
 * LanguageSpec decide what a node means, this class does the bookkeeping (qualified names,
 * parents, ranges, byte offsets, doc comments).
 */
export class Extractor {
  readonly symbols: ExtractedSymbol[] = [];
  readonly imports: ExtractedImport[] = [];
  /** Start indices of import statements already recorded, so a rescan does not repeat them. */
  readonly seenImports = new Set<number>();
  private readonly bytes: ByteOffsets;
  private readonly seenValues = new Set<string>();
  private readonly tentative = new Set<number>();
  /** Symbols of statement-form namespaces, by the scope they opened. */
  private readonly openStatementScopes = new Map<Scope, number>();
  /** Wrapper around the declaration being handled (export, decorators), if any. */
  private wrapper: Node | null = null;
  /** Comments directly above the node being handled. */
  private pendingComments: Node[] | null = null;
  /** Comments that a handler found inside a node but that belong to what follows it. */
  private carried: Node[] | null = null;

  constructor(
    readonly source: string,
    readonly spec: LanguageSpec,
  ) {
    this.bytes = new ByteOffsets(source);
  }

  /** The wrapper (export statement, decorated definition) around the current declaration. */
  get outer(): Node | null {
    return this.wrapper;
  }

  text(node: Node): string {
    return this.source.slice(node.startIndex, node.endIndex);
  }

  /** Walks the named children of `container`, handing each to its handler. */
  walk(container: Node, scope: Scope): void {
    // Declarations nested in a wrapped one (members of an exported class) have their own range.
    const savedWrapper = this.wrapper;
    this.wrapper = null;
    try {
      this.walkChildren(container, scope);
    } finally {
      this.wrapper = savedWrapper;
    }
  }

  private walkChildren(container: Node, scope: Scope): void {
    const spec = this.spec;
    let comments: Node[] = [];
    let commentEndRow = -2;
    // Row lookups cost a call into WASM each, so they are made only when a comment is near.
    let lastCode: Node | null = null;
    // A scope opened by a statement among these children (PHP `namespace X;`), closed here.
    let opened: Scope | null = null;
    for (const child of container.namedChildren) {
      if (child === null) continue;
      const type = child.type;
      if (spec.comments.has(type)) {
        const row = child.startPosition.row;
        // A comment that shares a line with code before it annotates that code.
        if (lastCode !== null && row === lastCode.endPosition.row) continue;
        if (comments.length > 0 && row > commentEndRow + 1) comments = [];
        if (spec.isDocComment === undefined || spec.isDocComment(this.text(child))) {
          comments.push(child);
          commentEndRow = child.endPosition.row;
        } else {
          comments = [];
        }
        continue;
      }
      let docs: Node[] | null = null;
      if (comments.length > 0) {
        const startRow = child.startPosition.row;
        if (spec.docSkip?.has(type)) {
          if (startRow <= commentEndRow + 1) commentEndRow = child.endPosition.row;
          continue;
        }
        if (startRow <= commentEndRow + 1) docs = comments;
        comments = [];
      } else if (spec.docSkip?.has(type)) {
        continue;
      }
      const next = this.dispatch(child, scope, docs);
      if (next) {
        if (opened !== null && lastCode !== null) this.closeOpenScope(opened, lastCode);
        scope = opened = next.scope;
      }
      lastCode = child;
      if (this.carried !== null) {
        comments = this.carried;
        commentEndRow = comments[comments.length - 1]!.endPosition.row;
        this.carried = null;
      }
    }
    if (opened !== null && lastCode !== null) this.closeOpenScope(opened, lastCode);
  }

  /** Hands one node to its handler, looking through wrappers and passthrough containers. */
  private dispatch(node: Node, scope: Scope, docs: Node[] | null): { scope: Scope } | null {
    const spec = this.spec;
    const type = node.type;
    if (spec.wrappers?.has(type)) return this.unwrapWith(node, scope, docs);
    if (spec.passthrough?.has(type) || (scope.kind === 'function' && spec.bodyPassthrough?.has(type))) {
      this.walk(node, scope);
      return null;
    }
    const handler = spec.handlers[type];
    if (handler === undefined) return null;
    this.pendingComments = docs;
    const next = handler(node, this, scope);
    this.pendingComments = null;
    return next ? { scope: next } : null;
  }

  /**
   * Dispatches the children of a wrapper (export statement, decorated definition) so that
   * the declaration inside takes the wrapper's range and the doc comment above it. Handlers
   * call this for nodes that are sometimes wrappers and sometimes not (`export ... from`).
   */
  unwrap(node: Node, scope: Scope): Scope | void {
    return this.unwrapWith(node, scope, this.pendingComments)?.scope;
  }

  private unwrapWith(node: Node, scope: Scope, docs: Node[] | null): { scope: Scope } | null {
    const saved = this.wrapper;
    this.wrapper ??= node;
    let result: { scope: Scope } | null = null;
    try {
      for (const inner of node.namedChildren) {
        if (inner === null || this.spec.comments.has(inner.type)) continue;
        result = this.dispatch(inner, scope, docs) ?? result;
      }
    } finally {
      this.wrapper = saved;
    }
    return result;
  }

  /**
   * Records a symbol and returns its index. Its range is the wrapper's (export, decorators)
   * when there is one; its doc is `opts.doc` or the comment block right above.
   */
  emit(node: Node, name: string, kind: SymbolKind, scope: Scope, opts: EmitOptions = {}): number {
    const range = opts.range ?? this.wrapper ?? node;
    const qualifier = opts.qualifier ?? scope.prefix;
    const qualifiedName = qualifier === '' ? name : `${qualifier}.${name}`;
    const sigEnd =
      opts.sigEnd === undefined || opts.sigEnd === null
        ? node.endIndex
        : typeof opts.sigEnd === 'number'
          ? opts.sigEnd
          : opts.sigEnd.startIndex;
    let signature = signatureOf(this.source, opts.sigStart ?? node.startIndex, sigEnd);
    if (opts.sigMap) signature = opts.sigMap(signature);
    let doc = opts.doc ?? null;
    if (doc === null && this.pendingComments !== null) {
      doc = docFromComments(this.pendingComments.map((c) => this.text(c)));
      if (doc !== null && this.spec.cleanDoc) doc = this.spec.cleanDoc(doc);
    }
    // The comment above documents the first symbol a handler emits, not its members.
    this.pendingComments = null;
    const start = range.startPosition;
    const end = range.endPosition;
    // A node that swallowed its trailing newline ends at column 0 of the next line.
    const endRow = end.column === 0 && end.row > start.row ? end.row - 1 : end.row;
    this.symbols.push({
      name,
      qualifiedName,
      kind,
      startLine: start.row + 1,
      endLine: endRow + 1,
      startByte: this.bytes.toByte(range.startIndex, start.row),
      endByte: this.bytes.toByte(range.endIndex, end.row),
      signature,
      doc,
      parent: scope.parent,
      local: scope.local,
    });
    return this.symbols.length - 1;
  }

  /**
   * Like emit, for variables, constants and fields: a second assignment to the same name in
   * the same scope (Python `try`/`except` fallbacks, reassignments) is not a new symbol.
   */
  emitValue(node: Node, name: string, kind: SymbolKind, scope: Scope, opts: EmitOptions = {}): number | null {
    const key = `${scope.parent ?? ''}\u0000${opts.qualifier ?? ''}\u0000${name}`;
    if (this.seenValues.has(key)) return null;
    this.seenValues.add(key);
    return this.emit(node, name, kind, scope, opts);
  }

  /**
   * Marks symbol `index` as a mere declaration (a C prototype) to be dropped by
   * dropTentativeDuplicates when the same file also defines it.
   */
  markTentative(index: number): void {
    this.tentative.add(index);
  }

  /** Drops tentative symbols whose qualified name and kind a definition also has. */
  dropTentativeDuplicates(): void {
    if (this.tentative.size === 0) return;
    const defined = new Set<string>();
    this.symbols.forEach((s, i) => {
      if (!this.tentative.has(i)) defined.add(`${s.kind} ${s.qualifiedName}`);
    });
    const newIndex: number[] = [];
    const kept: ExtractedSymbol[] = [];
    this.symbols.forEach((s, i) => {
      if (this.tentative.has(i) && defined.has(`${s.kind} ${s.qualifiedName}`)) {
        newIndex.push(-1);
        return;
      }
      newIndex.push(kept.length);
      kept.push(s);
    });
    for (const s of kept) {
      if (s.parent === null) continue;
      const parent = newIndex[s.parent]!;
      s.parent = parent === -1 ? null : parent;
    }
    this.symbols.length = 0;
    this.symbols.push(...kept);
    this.tentative.clear();
  }

  /** The scope for declarations nested in symbol `index`; a function's body is local. */
  scopeOf(index: number, kind: ScopeKind): Scope {
    const symbol = this.symbols[index]!;
    return { parent: index, prefix: symbol.qualifiedName, kind, local: symbol.local || kind === 'function' };
  }

  /**
   * Walks the body of the function or method `index` for the named functions and
   * classes declared in it, through the statements that may hold them (`if`, loops,
   * `try`…). Plain local variables are left to the handlers to refuse (they see a
   * `function` scope). A body whose text cannot hold a declaration is skipped unread.
   */
  walkBody(body: Node | null, index: number): void {
    if (body === null || !this.mayDeclare(body)) return;
    this.walk(body, this.scopeOf(index, 'function'));
  }

  /**
   * Walks the body of an anonymous function (a callback, a test block) in the scope that
   * encloses it: what it declares is local, qualified through that scope.
   */
  walkAnonymousBody(body: Node | null, scope: Scope): void {
    if (body === null || !this.mayDeclare(body)) return;
    this.walk(body, { parent: scope.parent, prefix: scope.prefix, kind: 'function', local: true });
  }

  /** Start indices of the spec's body hint in the source, found once per file. */
  private hintPositions: number[] | null = null;

  private mayDeclare(body: Node): boolean {
    const hint = this.spec.bodyHint;
    if (hint === undefined) return true;
    if (this.hintPositions === null) {
      const positions: number[] = [];
      hint.lastIndex = 0;
      for (let m = hint.exec(this.source); m !== null; m = hint.exec(this.source)) positions.push(m.index);
      this.hintPositions = positions;
    }
    // The first hint at or after the body's start, by binary search.
    const positions = this.hintPositions;
    let lo = 0;
    let hi = positions.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (positions[mid]! < body.startIndex) lo = mid + 1;
      else hi = mid;
    }
    return lo < positions.length && positions[lo]! < body.endIndex;
  }

  /** Index of the last symbol named `qualifiedName`, or null. */
  findSymbol(qualifiedName: string): number | null {
    for (let i = this.symbols.length - 1; i >= 0; i--) {
      if (this.symbols[i]!.qualifiedName === qualifiedName) return i;
    }
    return null;
  }

  /** Makes the comments of `nodes` the doc candidates for the next sibling (Kotlin quirk). */
  carryComments(nodes: Node[]): void {
    if (nodes.length > 0) this.carried = nodes;
  }

  addImport(specifier: string, kind: ImportKind, node: Node, names: string[] = []): void {
    if (specifier === '') return;
    this.seenImports.add(node.startIndex);
    this.imports.push({ specifier, kind, line: node.startPosition.row + 1, names });
  }

  /**
   * For statement-form namespaces (PHP `namespace X;`) the namespace symbol covers the
   * siblings that follow it: stretch it to `last`, the final sibling in its reach.
   */
  private closeOpenScope(scope: Scope, last: Node): void {
    const open = this.openStatementScopes.get(scope);
    if (open === undefined) return;
    this.openStatementScopes.delete(scope);
    const symbol = this.symbols[open]!;
    const end = last.endPosition;
    const endRow = end.column === 0 && end.row > last.startPosition.row ? end.row - 1 : end.row;
    if (endRow + 1 > symbol.endLine) {
      symbol.endLine = endRow + 1;
      symbol.endByte = this.bytes.toByte(last.endIndex, end.row);
    }
  }

  /**
   * A scope opened by a statement (not a block): its symbol is stretched to the end of the
   * enclosing container, or to the start of the next such statement.
   */
  openStatementScope(index: number, kind: ScopeKind): Scope {
    const scope = this.scopeOf(index, kind);
    this.openStatementScopes.set(scope, index);
    return scope;
  }
}
