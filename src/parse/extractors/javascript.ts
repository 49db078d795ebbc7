import type { Node } from 'web-tree-sitter';
import type { Extractor } from '../extract/extractor.js';
import type { Handler, LanguageSpec } from '../extract/language-spec.js';
import { childOfType, hasToken } from '../extract/nodes.js';
import { isUpperCase, unquote } from '../extract/text.js';

/** JavaScript, TypeScript and TSX: one table, the TypeScript-only node types simply never occur in JS. */

const FUNCTION_VALUES = new Set(['arrow_function', 'function_expression', 'function', 'generator_function']);

/**
 * `require('x')`, `require('x').y`, `await import('x')`: a binding to another module is an
 * import (recorded as a dependency edge), not a declaration. As symbols these aliases would
 * outrank or crowd the real definitions they name (`const Install = require('./install')`
 * in every file that uses the class).
 */
function isModuleLoad(value: Node): boolean {
  let node: Node | null = value;
  while (node !== null && (node.type === 'await_expression' || node.type === 'member_expression' || node.type === 'parenthesized_expression')) {
    node = node.type === 'member_expression' ? node.childForFieldName('object') : node.firstNamedChild;
  }
  if (node?.type !== 'call_expression') return false;
  const callee = node.childForFieldName('function');
  return callee !== null && (callee.type === 'import' || (callee.type === 'identifier' && callee.text === 'require'));
}

const functionDecl: Handler = (node, ex, scope) => {
  const name = node.childForFieldName('name');
  if (name === null) return;
  ex.emit(node, ex.text(name), scope.kind === 'type' ? 'method' : 'function', scope, {
    sigEnd: node.childForFieldName('body'),
  });
};

const classDecl: Handler = (node, ex, scope) => {
  const name = node.childForFieldName('name');
  const body = node.childForFieldName('body');
  if (name === null) return;
  const index = ex.emit(node, ex.text(name), 'class', scope, { sigEnd: body });
  if (body !== null) ex.walk(body, ex.scopeOf(index, 'type'));
};

const interfaceDecl: Handler = (node, ex, scope) => {
  const name = node.childForFieldName('name');
  const body = node.childForFieldName('body');
  if (name === null) return;
  const index = ex.emit(node, ex.text(name), 'interface', scope, { sigEnd: body });
  if (body !== null) ex.walk(body, ex.scopeOf(index, 'type'));
};

const enumDecl: Handler = (node, ex, scope) => {
  const name = node.childForFieldName('name');
  const body = node.childForFieldName('body');
  if (name === null) return;
  const index = ex.emit(node, ex.text(name), 'enum', scope, { sigEnd: body });
  if (body !== null) ex.walk(body, ex.scopeOf(index, 'type'));
};

const enumMember: Handler = (node, ex, scope) => {
  const name = node.type === 'enum_assignment' ? node.childForFieldName('name') : node;
  if (name !== null) ex.emit(node, unquote(ex.text(name)), 'enum_member', scope);
};

/** `namespace X {}` is a namespace, `module X {}` and `declare module 'x' {}` a module. */
const moduleDecl: Handler = (node, ex, scope) => {
  const name = node.childForFieldName('name');
  const body = node.childForFieldName('body');
  if (name === null) return;
  const kind = node.type === 'internal_module' ? 'namespace' : 'module';
  const index = ex.emit(node, unquote(ex.text(name)), kind, scope, { sigEnd: body });
  if (body !== null) ex.walk(body, ex.scopeOf(index, 'namespace'));
};

/** `const a = 1, f = () => {}` at file or namespace level: variables, constants, functions. */
const variableDecl: Handler = (node, ex, scope) => {
  if (scope.kind === 'function' || scope.kind === 'type') return;
  const declarators = node.namedChildren.filter((c): c is Node => c?.type === 'variable_declarator');
  const isConst = hasToken(node, 'const');
  const keyword = node.firstChild?.type ?? '';
  for (const declarator of declarators) {
    const name = declarator.childForFieldName('name');
    if (name === null || name.type !== 'identifier') continue;
    const value = declarator.childForFieldName('value');
    if (value !== null && isModuleLoad(value)) continue;
    const single = declarators.length === 1;
    // With one declarator the whole statement is the symbol; otherwise each declarator is.
    const sigStart = single ? node.startIndex : declarator.startIndex;
    const sigMap = single ? undefined : (sig: string) => `${keyword} ${sig}`;
    const range = single ? undefined : declarator;
    const text = ex.text(name);
    if (value !== null && FUNCTION_VALUES.has(value.type)) {
      ex.emit(node, text, 'function', scope, { sigStart, sigMap, range, sigEnd: value.childForFieldName('body') });
    } else {
      const kind = isConst && isUpperCase(text) ? 'constant' : 'variable';
      ex.emitValue(node, text, kind, scope, { sigStart, sigMap, range, sigEnd: single ? node.endIndex : declarator.endIndex });
    }
  }
};

/** Member names as declared: `"accept-encoding"?: string` is member `accept-encoding`. */
function memberName(name: Node, ex: Extractor): string {
  if (name.type === 'string') return unquote(ex.text(name));
  const inner = name.type === 'computed_property_name' ? name.firstNamedChild : null;
  if (inner?.type === 'string' && name.namedChildCount === 1) return unquote(ex.text(inner));
  return ex.text(name);
}

const methodDecl: Handler = (node, ex, scope) => {
  const name = node.childForFieldName('name');
  if (name === null) return;
  const text = memberName(name, ex);
  const kind =
    text === 'constructor' ? 'constructor' : hasToken(node, 'get') || hasToken(node, 'set') ? 'property' : 'method';
  ex.emit(node, text, kind, scope, { sigEnd: node.childForFieldName('body') });
};

/** Class fields; an arrow function in a field (`onClick = () => {}`) behaves as a method. */
const fieldDecl: Handler = (node, ex, scope) => {
  const name = node.childForFieldName('name') ?? node.childForFieldName('property');
  if (name === null) return;
  const value = node.childForFieldName('value');
  if (value !== null && FUNCTION_VALUES.has(value.type)) {
    ex.emit(node, memberName(name, ex), 'method', scope, { sigEnd: value.childForFieldName('body') });
    return;
  }
  const kind = node.type === 'property_signature' ? 'property' : 'field';
  ex.emitValue(node, memberName(name, ex), kind, scope);
};

const typeAlias: Handler = (node, ex, scope) => {
  const name = node.childForFieldName('name');
  if (name !== null) ex.emit(node, ex.text(name), 'type', scope);
};

function importedNames(clause: Node | null, ex: Extractor): string[] {
  const names: string[] = [];
  if (clause === null) return names;
  for (const part of clause.namedChildren) {
    if (part === null) continue;
    if (part.type === 'identifier') names.push('default');
    else if (part.type === 'namespace_import' || part.type === 'namespace_export') names.push('*');
    else if (part.type === 'named_imports' || part.type === 'export_clause') {
      for (const spec of part.namedChildren) {
        const name = spec?.childForFieldName('name');
        if (name) names.push(unquote(ex.text(name)));
      }
    }
  }
  return names;
}

const importStatement: Handler = (node, ex) => {
  let source = node.childForFieldName('source');
  // TS `import x = require('y')` keeps its string inside an import_require_clause.
  const requireClause = childOfType(node, 'import_require_clause');
  if (source === null && requireClause !== null) source = requireClause.childForFieldName('source');
  if (source === null) return;
  ex.addImport(unquote(ex.text(source)), 'import', node, importedNames(childOfType(node, 'import_clause'), ex));
};

/** `export ... from 'x'` re-exports a module; any other export wraps a declaration. */
const exportStatement: Handler = (node, ex, scope) => {
  const source = node.childForFieldName('source');
  if (source === null) return ex.unwrap(node, scope);
  const clause = childOfType(node, new Set(['export_clause', 'namespace_export']));
  ex.addImport(unquote(ex.text(source)), 'export', node, clause === null ? ['*'] : importedNames(node, ex));
};

const CALL_PATTERN = /\b(require|import)\s*\(/g;

/**
 * `require('x')` and `import('x')` may sit in any function body, which the walk never
 * enters; a text scan finds the candidates and the tree confirms each one is a real call.
 */
function scanCalls(root: Node, ex: Extractor): void {
  const source = ex.source;
  if (!source.includes('require') && !source.includes('import')) return;
  CALL_PATTERN.lastIndex = 0;
  for (let m = CALL_PATTERN.exec(source); m !== null; m = CALL_PATTERN.exec(source)) {
    let callee = root.descendantForIndex(m.index, m.index + m[1]!.length);
    // The `import` keyword token sits inside a named `import` node.
    if (callee?.parent?.type === 'import') callee = callee.parent;
    const call = callee?.parent;
    if (!callee || !call || call.type !== 'call_expression') continue;
    if (call.childForFieldName('function')?.startIndex !== callee.startIndex) continue;
    const arg = call.childForFieldName('arguments')?.firstNamedChild;
    if (!arg || (arg.type !== 'string' && arg.type !== 'template_string')) continue;
    if (arg.type === 'template_string' && arg.namedChildren.some((c) => c?.type === 'template_substitution')) continue;
    ex.addImport(unquote(ex.text(arg)), m[1] === 'require' ? 'require' : 'dynamic', call);
  }
}

const handlers: Record<string, Handler> = {
  import_statement: importStatement,
  export_statement: exportStatement,
  function_declaration: functionDecl,
  generator_function_declaration: functionDecl,
  function_signature: functionDecl,
  class_declaration: classDecl,
  abstract_class_declaration: classDecl,
  interface_declaration: interfaceDecl,
  enum_declaration: enumDecl,
  enum_assignment: enumMember,
  property_identifier: enumMember,
  internal_module: moduleDecl,
  module: moduleDecl,
  type_alias_declaration: typeAlias,
  lexical_declaration: variableDecl,
  variable_declaration: variableDecl,
  method_definition: methodDecl,
  method_signature: methodDecl,
  abstract_method_signature: methodDecl,
  public_field_definition: fieldDecl,
  field_definition: fieldDecl,
  property_signature: fieldDecl,
};

export const javascriptSpec: LanguageSpec = {
  handlers,
  wrappers: new Set(['ambient_declaration']),
  passthrough: new Set(['ERROR']),
  comments: new Set(['comment']),
  scanImports: scanCalls,
};
