import type { Node } from 'web-tree-sitter';
import type { Extractor } from './extractor.js';

/**
 * What kind of symbol encloses a walk. Handlers use it to tell a method from a function and
 * a field from a variable without looking up the tree.
 */
export type ScopeKind = 'file' | 'type' | 'namespace' | 'function';

/** Where declarations found by a walk belong. */
export interface Scope {
  /** Index of the enclosing symbol in the result, or null at top level. */
  readonly parent: number | null;
  /** Qualified name that nested symbols extend with `.name`; '' at top level. */
  readonly prefix: string;
  readonly kind: ScopeKind;
  /**
   * Declarations here live inside a function body (closures, local classes and their
   * members): searchable, ranked below top-level ones, folded by an outline.
   */
  readonly local: boolean;
}

/**
 * Turns one syntax node into symbols and imports. Returning a scope replaces the walk's
 * scope for the node's following siblings (PHP's `namespace X;` statement form).
 */
export type Handler = (node: Node, ex: Extractor, scope: Scope) => Scope | void;

/**
 * The table that drives the shared walker for one grammar. Only node types listed here are
 * ever looked at, which is what keeps extraction cheap next to parsing: bodies of functions
 * are never entered unless a handler does it on purpose.
 */
export interface LanguageSpec {
  /** Node type to handler, for declarations and import statements alike. */
  readonly handlers: Readonly<Record<string, Handler>>;
  /**
   * Wrappers around a single declaration (`export_statement`, `decorated_definition`,
   * `template_declaration`): the inner declaration's range and doc start at the wrapper.
   */
  readonly wrappers?: ReadonlySet<string>;
  /**
   * Containers whose children are walked as if they were siblings of the container
   * (`if` blocks at module level, `#ifdef`, `extern "C" {}`, `ERROR` recovery nodes).
   */
  readonly passthrough?: ReadonlySet<string>;
  /**
   * Statements walked through inside function bodies only (`for`, `while`, `switch`…), to
   * reach the named functions and classes declared in them.
   */
  readonly bodyPassthrough?: ReadonlySet<string>;
  /**
   * Text a function body must contain to hold a nested declaration (`def`, `class`); a
   * body without a match is not walked at all. Must be a global regex. Absent: every
   * body is walked.
   */
  readonly bodyHint?: RegExp;
  /** Node types that are comments. */
  readonly comments: ReadonlySet<string>;
  /** Nodes allowed between a doc comment and its declaration (Rust `#[attr]`). */
  readonly docSkip?: ReadonlySet<string>;
  /** Which comments count as documentation; all of them when absent. */
  readonly isDocComment?: (text: string) => boolean;
  /** Final touch to a doc comment after its markers are stripped (C# XML tags). */
  readonly cleanDoc?: (doc: string) => string | null;
  /** Extra pass for imports that may sit anywhere, e.g. `require()` inside a function. */
  readonly scanImports?: (root: Node, ex: Extractor) => void;
  /** Last pass over the finished result, e.g. to drop C prototypes of defined functions. */
  readonly finish?: (ex: Extractor) => void;
}
