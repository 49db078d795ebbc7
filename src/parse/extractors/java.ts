import type { Node } from 'web-tree-sitter';
import type { Handler, LanguageSpec } from '../extract/language-spec.js';
import { typeDecl } from '../extract/type-decl.js';
import { hasToken } from '../extract/nodes.js';
import { stripLeadingAnnotations } from '../extract/text.js';
import type { SymbolKind } from '../types.js';

const sigMap = stripLeadingAnnotations;

function callable(kind: SymbolKind): Handler {
  return (node, ex, scope) => {
    const name = node.childForFieldName('name');
    if (name === null) return;
    const body = node.childForFieldName('body');
    const index = ex.emit(node, ex.text(name), kind, scope, { sigEnd: body, sigMap });
    // Local classes, records, enums and interfaces declared in the body.
    ex.walkBody(body, index);
  };
}

function modifiersOf(node: Node): Node | null {
  for (const child of node.namedChildren) if (child?.type === 'modifiers') return child;
  return null;
}

/** `int a, b;` declares two fields; `static final` ones, and all of an interface's, are constants. */
const fieldDecl: Handler = (node, ex, scope) => {
  const modifiers = modifiersOf(node);
  const constant =
    node.type === 'constant_declaration' ||
    (modifiers !== null && hasToken(modifiers, 'static') && hasToken(modifiers, 'final'));
  for (const declarator of node.childrenForFieldName('declarator')) {
    const name = declarator?.childForFieldName('name');
    if (name) ex.emitValue(node, ex.text(name), constant ? 'constant' : 'field', scope, { sigMap });
  }
};

const enumConstant: Handler = (node, ex, scope) => {
  const name = node.childForFieldName('name');
  if (name !== null) ex.emit(node, ex.text(name), 'enum_member', scope, { sigEnd: node.childForFieldName('body'), sigMap });
};

/** `import a.b.C;`, `import a.b.*;`, `import static a.B.m;`: the path as written. */
const importDecl: Handler = (node, ex) => {
  const path = node.namedChildren.find((c) => c?.type === 'scoped_identifier' || c?.type === 'identifier');
  if (!path) return;
  const text = ex.text(path).replace(/\s+/g, '');
  const wildcard = node.namedChildren.some((c) => c?.type === 'asterisk');
  ex.addImport(wildcard ? `${text}.*` : text, 'import', node, [wildcard ? '*' : text.slice(text.lastIndexOf('.') + 1)]);
};

export const javaSpec: LanguageSpec = {
  handlers: {
    class_declaration: typeDecl('class'),
    interface_declaration: typeDecl('interface'),
    enum_declaration: typeDecl('enum'),
    record_declaration: typeDecl('class'),
    annotation_type_declaration: typeDecl('interface'),
    method_declaration: callable('method'),
    annotation_type_element_declaration: callable('method'),
    constructor_declaration: callable('constructor'),
    compact_constructor_declaration: callable('constructor'),
    field_declaration: fieldDecl,
    constant_declaration: fieldDecl,
    enum_constant: enumConstant,
    import_declaration: importDecl,
  },
  passthrough: new Set(['enum_body_declarations', 'ERROR']),
  bodyPassthrough: new Set([
    'block',
    'if_statement',
    'for_statement',
    'enhanced_for_statement',
    'while_statement',
    'do_statement',
    'try_statement',
    'try_with_resources_statement',
    'catch_clause',
    'finally_clause',
    'switch_expression',
    'switch_block',
    'switch_block_statement_group',
    'switch_rule',
    'labeled_statement',
    'synchronized_statement',
  ]),
  bodyHint: /\b(?:class|interface|enum|record)\b/g,
  comments: new Set(['line_comment', 'block_comment']),
};
