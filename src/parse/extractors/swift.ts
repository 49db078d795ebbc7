import type { Node } from 'web-tree-sitter';
import type { Extractor } from '../extract/extractor.js';
import type { Handler, LanguageSpec } from '../extract/language-spec.js';
import { childOfType } from '../extract/nodes.js';
import { isUpperCase, stripLeadingAnnotations } from '../extract/text.js';
import type { SymbolKind } from '../types.js';

const sigMap = stripLeadingAnnotations;

const DECLARATION_KINDS: Readonly<Record<string, SymbolKind>> = {
  class: 'class',
  actor: 'class',
  struct: 'struct',
  enum: 'enum',
};

/** `Cache` out of an extension's `Cache<T>` or `Swift.Array`. */
function extendedTypeName(type: Node, ex: Extractor): string {
  const ids = type.type === 'user_type' ? type.namedChildren.filter((c) => c?.type === 'type_identifier') : [];
  const last = ids[ids.length - 1];
  return last ? ex.text(last) : ex.text(type);
}

/**
 * class, struct, enum and actor share one node type, told apart by `declaration_kind`; an
 * extension adds no symbol, its members are attributed to the extended type by name.
 */
const classDecl: Handler = (node, ex, scope) => {
  const name = node.childForFieldName('name');
  const body = node.childForFieldName('body');
  if (name === null) return;
  const keyword = node.childForFieldName('declaration_kind')?.type ?? 'class';
  if (keyword === 'extension') {
    if (body === null) return;
    const type = extendedTypeName(name, ex);
    ex.walk(body, { parent: scope.parent, prefix: scope.prefix === '' ? type : `${scope.prefix}.${type}`, kind: 'type', local: scope.local });
    return;
  }
  const index = ex.emit(node, ex.text(name), DECLARATION_KINDS[keyword] ?? 'class', scope, { sigEnd: body, sigMap });
  if (body !== null) ex.walk(body, ex.scopeOf(index, 'type'));
};

const protocolDecl: Handler = (node, ex, scope) => {
  const name = node.childForFieldName('name');
  const body = node.childForFieldName('body');
  if (name === null) return;
  const index = ex.emit(node, ex.text(name), 'interface', scope, { sigEnd: body, sigMap });
  if (body !== null) ex.walk(body, ex.scopeOf(index, 'type'));
};

const functionDecl: Handler = (node, ex, scope) => {
  const name = node.childForFieldName('name');
  if (name === null) return;
  const body = node.childForFieldName('body');
  const index = ex.emit(node, ex.text(name), scope.kind === 'type' ? 'method' : 'function', scope, { sigEnd: body, sigMap });
  // Local functions and types declared in the body.
  ex.walkBody(body, index);
};

const initDecl: Handler = (node, ex, scope) => {
  const body = node.childForFieldName('body');
  const index = ex.emit(node, 'init', 'constructor', scope, { sigEnd: body, sigMap });
  ex.walkBody(body, index);
};

/** `let`/`var`: properties in types; at top level UPPER_CASE `let`s are constants. */
const propertyDecl: Handler = (node, ex, scope) => {
  // Local `let`s and `var`s are not symbols.
  if (scope.kind === 'function') return;
  const pattern = node.childForFieldName('name');
  if (pattern === null) return;
  const name = pattern.childForFieldName('bound_identifier') ?? pattern;
  const text = ex.text(name);
  const isLet = childOfType(node, 'value_binding_pattern')?.text === 'let';
  const kind = scope.kind === 'type' ? 'property' : isLet && isUpperCase(text) ? 'constant' : 'variable';
  const computed = node.childForFieldName('computed_value');
  ex.emitValue(node, text, kind, scope, { sigEnd: computed, sigMap });
};

const enumEntry: Handler = (node, ex, scope) => {
  for (const name of node.childrenForFieldName('name')) {
    if (name !== null) ex.emit(node, ex.text(name), 'enum_member', scope, { sigMap });
  }
};

const typeAlias: Handler = (node, ex, scope) => {
  const name = node.childForFieldName('name');
  if (name !== null) ex.emit(node, ex.text(name), 'type', scope, { sigMap });
};

/** `import Foundation`, `import struct Darwin.size_t`: the module path. */
const importDecl: Handler = (node, ex) => {
  const path = childOfType(node, 'identifier');
  if (path !== null) ex.addImport(ex.text(path).replace(/\s+/g, ''), 'import', node);
};

export const swiftSpec: LanguageSpec = {
  handlers: {
    class_declaration: classDecl,
    protocol_declaration: protocolDecl,
    function_declaration: functionDecl,
    protocol_function_declaration: functionDecl,
    init_declaration: initDecl,
    property_declaration: propertyDecl,
    protocol_property_declaration: propertyDecl,
    enum_entry: enumEntry,
    typealias_declaration: typeAlias,
    import_declaration: importDecl,
  },
  passthrough: new Set(['ERROR']),
  bodyPassthrough: new Set([
    'statements',
    'if_statement',
    'guard_statement',
    'for_statement',
    'while_statement',
    'repeat_while_statement',
    'do_statement',
    'catch_block',
    'switch_statement',
    'switch_entry',
  ]),
  bodyHint: /\b(?:func|class|struct|enum|protocol|actor)\b/g,
  comments: new Set(['comment', 'multiline_comment']),
};
