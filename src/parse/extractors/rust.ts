import type { Node } from 'web-tree-sitter';
import type { Extractor } from '../extract/extractor.js';
import type { Handler, LanguageSpec } from '../extract/language-spec.js';
import type { SymbolKind } from '../types.js';
import { docFromComments } from '../extract/text.js';

function named(kind: SymbolKind, walkBody = false): Handler {
  return (node, ex, scope) => {
    const name = node.childForFieldName('name');
    if (name === null) return;
    const body = node.childForFieldName('body');
    const index = ex.emit(node, ex.text(name), kind, scope, { sigEnd: body });
    if (walkBody && body !== null) ex.walk(body, ex.scopeOf(index, 'type'));
  };
}

const functionItem: Handler = (node, ex, scope) => {
  const name = node.childForFieldName('name');
  if (name === null) return;
  const body = node.childForFieldName('body');
  const index = ex.emit(node, ex.text(name), scope.kind === 'type' ? 'method' : 'function', scope, {
    sigEnd: body,
  });
  // Items (functions, structs, impls…) declared in the body.
  ex.walkBody(body, index);
};

/** `Store` out of `Store<K>`, `crate::a::Store`, `&'a Store`. */
function typeName(type: Node | null, ex: Extractor): string | null {
  while (type !== null) {
    switch (type.type) {
      case 'generic_type':
        type = type.childForFieldName('type');
        break;
      case 'scoped_type_identifier':
        type = type.childForFieldName('name');
        break;
      case 'reference_type':
      case 'pointer_type':
        type = type.childForFieldName('type');
        break;
      default:
        return ex.text(type);
    }
  }
  return null;
}

/** `impl X` and `impl T for X` add no symbol: their functions are methods of `X`. */
const implItem: Handler = (node, ex, scope) => {
  const body = node.childForFieldName('body');
  const type = typeName(node.childForFieldName('type'), ex);
  if (body === null || type === null) return;
  ex.walk(body, {
    parent: scope.parent,
    prefix: scope.prefix === '' ? type : `${scope.prefix}.${type}`,
    kind: 'type',
    local: scope.local,
  });
};

/** Inline `mod x { ... }` is a module; `mod x;` pulls in a file and is an import. */
const modItem: Handler = (node, ex, scope) => {
  const name = node.childForFieldName('name');
  if (name === null) return;
  const body = node.childForFieldName('body');
  if (body === null) {
    ex.addImport(ex.text(name), 'mod', node);
    return;
  }
  const index = ex.emit(node, ex.text(name), 'module', scope, { sigEnd: body, doc: innerDoc(body, ex) });
  ex.walk(body, ex.scopeOf(index, 'namespace'));
};

/** `//!` comments opening a module body document the module. */
function innerDoc(body: Node, ex: Extractor): string | null {
  const texts: string[] = [];
  for (const child of body.namedChildren) {
    if (child === null) continue;
    const text = ex.text(child);
    if ((child.type !== 'line_comment' && child.type !== 'block_comment') || !/^\/\/!|^\/\*!/.test(text)) break;
    texts.push(text);
  }
  return texts.length === 0 ? null : docFromComments(texts);
}

const staticItem: Handler = (node, ex, scope) => {
  const name = node.childForFieldName('name');
  if (name === null) return;
  const mutable = node.namedChildren.some((c) => c?.type === 'mutable_specifier');
  ex.emitValue(node, ex.text(name), mutable ? 'variable' : 'constant', scope);
};

const fieldDecl: Handler = (node, ex, scope) => {
  const name = node.childForFieldName('name');
  if (name !== null) ex.emit(node, ex.text(name), 'field', scope);
};

const enumVariant: Handler = (node, ex, scope) => {
  const name = node.childForFieldName('name');
  if (name !== null) ex.emit(node, ex.text(name), 'enum_member', scope);
};

function compact(text: string): string {
  return text.replace(/\s+/g, '');
}

/**
 * One import per imported path: `use a::{b, c::d}` gives `a::b` and `a::c::d`, `self` in a
 * list names the list's own path, and a glob keeps its path with the name `*`.
 */
function collectUse(node: Node, prefix: string, ex: Extractor, statement: Node): void {
  switch (node.type) {
    case 'use_as_clause': {
      const path = node.childForFieldName('path');
      if (path !== null) collectUse(path, prefix, ex, statement);
      return;
    }
    case 'use_wildcard': {
      const path = node.firstNamedChild;
      const spec = path === null ? prefix.replace(/::$/, '') : prefix + compact(ex.text(path));
      ex.addImport(spec, 'use', statement, ['*']);
      return;
    }
    case 'scoped_use_list': {
      const path = node.childForFieldName('path');
      const list = node.childForFieldName('list');
      const base = path === null ? prefix : `${prefix}${compact(ex.text(path))}::`;
      if (list !== null) collectUse(list, base, ex, statement);
      return;
    }
    case 'use_list':
      for (const item of node.namedChildren) {
        if (item !== null) collectUse(item, prefix, ex, statement);
      }
      return;
    case 'self':
      if (prefix !== '') ex.addImport(prefix.replace(/::$/, ''), 'use', statement, ['self']);
      return;
    default: {
      const path = prefix + compact(ex.text(node));
      ex.addImport(path, 'use', statement, [path.slice(path.lastIndexOf(':') + 1)]);
    }
  }
}

const useDecl: Handler = (node, ex) => {
  const argument = node.childForFieldName('argument');
  if (argument !== null) collectUse(argument, '', ex, node);
};

const externCrate: Handler = (node, ex) => {
  const name = node.childForFieldName('name');
  if (name !== null) ex.addImport(ex.text(name), 'use', node);
};

export const rustSpec: LanguageSpec = {
  handlers: {
    function_item: functionItem,
    function_signature_item: functionItem,
    struct_item: named('struct', true),
    union_item: named('union', true),
    enum_item: named('enum', true),
    trait_item: named('trait', true),
    type_item: named('type'),
    const_item: (node, ex, scope) => {
      const name = node.childForFieldName('name');
      if (name !== null) ex.emitValue(node, ex.text(name), 'constant', scope);
    },
    static_item: staticItem,
    macro_definition: (node, ex, scope) => {
      const name = node.childForFieldName('name');
      if (name !== null) ex.emit(node, ex.text(name), 'macro', scope, { sigEnd: name.endIndex });
    },
    impl_item: implItem,
    mod_item: modItem,
    field_declaration: fieldDecl,
    enum_variant: enumVariant,
    use_declaration: useDecl,
    extern_crate_declaration: externCrate,
  },
  passthrough: new Set(['ERROR', 'foreign_mod_item', 'declaration_list']),
  bodyPassthrough: new Set([
    'block',
    'expression_statement',
    'if_expression',
    'else_clause',
    'loop_expression',
    'for_expression',
    'while_expression',
    'match_expression',
    'match_block',
    'match_arm',
    'unsafe_block',
  ]),
  bodyHint: /\b(?:fn|struct|enum|impl|trait|union|mod)\b/g,
  comments: new Set(['line_comment', 'block_comment']),
  docSkip: new Set(['attribute_item']),
  // Only `///` and `/** */` document the item below; `//!` documents the enclosing module.
  isDocComment: (text) => /^\/\/\/(?!\/)|^\/\*\*(?!\*)/.test(text),
};
