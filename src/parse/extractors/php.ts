import type { Node } from 'web-tree-sitter';
import { FILE_SCOPE, type Extractor } from '../extract/extractor.js';
import type { Handler, LanguageSpec } from '../extract/language-spec.js';
import { typeDecl } from '../extract/type-decl.js';
import { childOfType } from '../extract/nodes.js';
import { stripLeadingAnnotations, unquote } from '../extract/text.js';
import type { ImportKind, SymbolKind } from '../types.js';

const sigMap = stripLeadingAnnotations;

/**
 * `namespace A\B { ... }` scopes its block; the statement form `namespace A\B;` scopes every
 * declaration that follows it in the file. Qualified names use dots: `A.B.Foo`.
 */
const namespaceDef: Handler = (node, ex, current) => {
  // PHP namespaces never nest: a second `namespace X;` ends the first rather than entering it.
  const scope = FILE_SCOPE;
  const name = node.childForFieldName('name');
  const body = node.childForFieldName('body');
  if (name === null) {
    if (body !== null) ex.walk(body, current);
    return;
  }
  const text = ex.text(name).replace(/\s+/g, '');
  const dotted = text.replace(/^\\/, '').replace(/\\/g, '.');
  const index = ex.emit(node, text, 'namespace', scope, { sigEnd: body ?? name.endIndex });
  ex.symbols[index]!.qualifiedName = dotted;
  if (body !== null) {
    ex.walk(body, ex.scopeOf(index, 'namespace'));
    return;
  }
  return ex.openStatementScope(index, 'namespace');
};

const functionDef: Handler = (node, ex, scope) => {
  const name = node.childForFieldName('name');
  if (name === null) return;
  const text = ex.text(name);
  const kind = scope.kind !== 'type' ? 'function' : text === '__construct' ? 'constructor' : 'method';
  const body = node.childForFieldName('body');
  // Functions and classes a body declares (conditionally defined helpers).
  ex.walkBody(body, ex.emit(node, text, kind, scope, { sigEnd: body, sigMap }));
};

const constDecl: Handler = (node, ex, scope) => {
  for (const element of node.namedChildren) {
    if (element?.type !== 'const_element') continue;
    const name = childOfType(element, 'name');
    if (name !== null) ex.emitValue(node, ex.text(name), 'constant', scope, { sigMap });
  }
};

/** `private ?User $current = null;`: property `current`. */
const propertyDecl: Handler = (node, ex, scope) => {
  for (const element of node.namedChildren) {
    if (element?.type !== 'property_element') continue;
    const variable = childOfType(element, 'variable_name');
    if (variable !== null) ex.emitValue(node, ex.text(variable).replace(/^\$/, ''), 'property', scope, { sigMap });
  }
};

const enumCase: Handler = (node, ex, scope) => {
  const name = node.childForFieldName('name');
  if (name !== null) ex.emit(node, ex.text(name), 'enum_member', scope, { sigMap });
};

function compact(text: string): string {
  return text.replace(/\s+/g, '').replace(/^\\/, '');
}

/** `use A\B;`, `use A\{B, C as D};`, `use function A\f;`: one import per used name. */
const namespaceUse: Handler = (node, ex) => {
  const group = childOfType(node, 'namespace_use_group');
  if (group !== null) {
    const prefixNode = childOfType(node, 'namespace_name');
    const prefix = prefixNode === null ? '' : `${compact(ex.text(prefixNode))}\\`;
    for (const clause of group.namedChildren) {
      const name = clause === null ? null : childOfType(clause, new Set(['namespace_name', 'qualified_name', 'name']));
      if (name) addUse(prefix + compact(ex.text(name)), ex, node);
    }
    return;
  }
  for (const clause of node.namedChildren) {
    if (clause?.type !== 'namespace_use_clause') continue;
    const name = childOfType(clause, new Set(['qualified_name', 'name', 'namespace_name']));
    if (name !== null) addUse(compact(ex.text(name)), ex, node);
  }
};

function addUse(specifier: string, ex: Extractor, node: Node): void {
  ex.addImport(specifier, 'use', node, [specifier.slice(specifier.lastIndexOf('\\') + 1)]);
}

const INCLUDES: Readonly<Record<string, ImportKind>> = {
  require_expression: 'require',
  require_once_expression: 'require',
  include_expression: 'include',
  include_once_expression: 'include',
};

/**
 * `require 'x.php'` gives `x.php`; the common `require __DIR__ . '/x.php'` gives
 * `__DIR__/x.php` so that the resolver knows the path is relative to the requiring file.
 */
const expressionStatement: Handler = (node, ex) => {
  const expr = node.firstNamedChild;
  const kind = expr === null ? undefined : INCLUDES[expr.type];
  if (expr === null || kind === undefined) return;
  const arg = expr.firstNamedChild;
  const path = arg === null ? null : includePath(arg, ex);
  if (path !== null) ex.addImport(path, kind, node);
};

function includePath(arg: Node, ex: Extractor): string | null {
  if (arg.type === 'parenthesized_expression' && arg.firstNamedChild) return includePath(arg.firstNamedChild, ex);
  if (arg.type === 'string' || arg.type === 'encapsed_string') {
    return arg.namedChildren.some((c) => c?.type === 'variable_name') ? null : unquote(ex.text(arg));
  }
  if (arg.type === 'binary_expression') {
    const left = arg.childForFieldName('left');
    const right = arg.childForFieldName('right');
    if (left !== null && right !== null && /^__DIR__$|^dirname\(\s*__FILE__\s*\)$/.test(ex.text(left))) {
      const rest = includePath(right, ex);
      return rest === null ? null : `__DIR__${rest.startsWith('/') ? '' : '/'}${rest}`;
    }
  }
  return null;
}

export const phpSpec: LanguageSpec = {
  handlers: {
    namespace_definition: namespaceDef,
    class_declaration: typeDecl('class'),
    interface_declaration: typeDecl('interface'),
    trait_declaration: typeDecl('trait'),
    enum_declaration: typeDecl('enum'),
    function_definition: functionDef,
    method_declaration: functionDef,
    const_declaration: constDecl,
    property_declaration: propertyDecl,
    enum_case: enumCase,
    namespace_use_declaration: namespaceUse,
    expression_statement: expressionStatement,
  },
  // `if (!function_exists('x')) { function x() {} }` guards are how PHP helper files declare.
  passthrough: new Set(['ERROR', 'compound_statement', 'if_statement', 'else_if_clause', 'else_clause']),
  bodyPassthrough: new Set([
    'foreach_statement',
    'for_statement',
    'while_statement',
    'do_statement',
    'try_statement',
    'catch_clause',
    'finally_clause',
    'switch_statement',
    'switch_block',
    'case_statement',
    'default_statement',
    'colon_block',
  ]),
  bodyHint: /\b(?:function|class|interface|trait|enum)\b/gi,
  comments: new Set(['comment']),
};
