import type { Node } from 'web-tree-sitter';
import type { EmitOptions, Extractor } from '../extract/extractor.js';
import type { Handler, LanguageSpec, Scope } from '../extract/language-spec.js';
import { childOfType, hasToken } from '../extract/nodes.js';
import { isUpperCase, unquote } from '../extract/text.js';
import type { SymbolKind } from '../types.js';

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
  const body = node.childForFieldName('body');
  const index = ex.emit(node, ex.text(name), scope.kind === 'type' ? 'method' : 'function', scope, { sigEnd: body });
  ex.walkBody(body, index);
};

const classDecl: Handler = (node, ex, scope) => {
  const name = node.childForFieldName('name');
  if (name === null) return;
  classNamed(node, ex.text(name), ex, scope);
};

/** A class declaration or expression under `name`, its members walked. */
function classNamed(node: Node, name: string, ex: Extractor, scope: Scope, opts: EmitOptions = {}): number {
  const body = node.childForFieldName('body');
  const index = ex.emit(node, name, 'class', scope, { sigEnd: body, ...opts });
  if (body !== null) ex.walk(body, ex.scopeOf(index, 'type'));
  return index;
}

/**
 * A function value (`function () {}`, an arrow, a generator) bound to `name`: emitted
 * with the signature of the binding, its body walked for nested declarations.
 */
function functionNamed(value: Node, name: string, kind: SymbolKind, ex: Extractor, scope: Scope, opts: EmitOptions = {}): number {
  const body = value.childForFieldName('body');
  const index = ex.emit(value, name, kind, scope, { sigEnd: body, ...opts });
  if (body !== null && body.type === 'statement_block') ex.walkBody(body, index);
  return index;
}

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

/**
 * `const a = 1, f = () => {}, C = class {}, api = { get() {} }` at file or namespace
 * level: variables, constants, functions, classes, and the functions of an object
 * literal as `api.get`. In a function body only the functions and classes count (local);
 * plain local variables stay out.
 */
const variableDecl: Handler = (node, ex, scope) => {
  if (scope.kind === 'type') return;
  const declarators = node.namedChildren.filter((c): c is Node => c?.type === 'variable_declarator');
  const isConst = hasToken(node, 'const');
  const keyword = node.firstChild?.type ?? '';
  const inBody = scope.kind === 'function';
  for (const declarator of declarators) {
    const name = declarator.childForFieldName('name');
    if (name === null || name.type !== 'identifier') continue;
    const value = unwrapValue(declarator.childForFieldName('value'));
    if (value !== null && isModuleLoad(value)) continue;
    const single = declarators.length === 1;
    // With one declarator the whole statement is the symbol; otherwise each declarator is.
    const sigStart = single ? node.startIndex : declarator.startIndex;
    const sigMap = single ? undefined : (sig: string) => `${keyword} ${sig}`;
    const range = single ? (ex.outer ?? node) : declarator;
    const text = ex.text(name);
    if (value !== null && FUNCTION_VALUES.has(value.type)) {
      functionNamed(value, text, 'function', ex, scope, { sigStart, sigMap, range });
    } else if (value !== null && value.type === 'class') {
      classNamed(value, text, ex, scope, { sigStart, sigMap, range });
    } else if (inBody) {
      if (value?.type === 'object') objectMembers(value, ex, scope, text, 'method');
      else if (iifeCallee(value, ex) !== null) walkIifeValue(value, ex, scope);
      else if (value?.type === 'call_expression') scanCall(value, ex, scope);
    } else {
      const kind = isConst && isUpperCase(text) ? 'constant' : 'variable';
      const index = ex.emitValue(node, text, kind, scope, { sigStart, sigMap, range, sigEnd: single ? node.endIndex : declarator.endIndex });
      if (value?.type === 'object') objectMembers(value, ex, index === null ? scope : ex.scopeOf(index, 'type'), index === null ? text : undefined, 'method');
      else if (iifeCallee(value, ex) !== null) walkIifeValue(value, ex, scope);
      else if (value?.type === 'call_expression') scanCall(value, ex, { ...scope, kind: 'function', local: true });
    }
  }
};

/** `(function () {})`, `x || function () {}`: the value inside parentheses. */
function unwrapValue(value: Node | null): Node | null {
  let node = value;
  while (node !== null && node.type === 'parenthesized_expression') node = node.firstNamedChild;
  return node;
}

/**
 * The function an immediately invoked function expression runs (`(function () {…})()`,
 * `(() => {…})()`, `(function () {…}).call(this)`), looking through `a || (…)()`;
 * null when `value` is not one.
 */
function iifeCallee(value: Node | null, ex: Extractor): Node | null {
  let node = unwrapValue(value);
  if (node?.type === 'binary_expression') node = unwrapValue(node.childForFieldName('right'));
  else if (node?.type === 'ternary_expression') node = unwrapValue(node.childForFieldName('alternative'));
  if (node === null || node.type !== 'call_expression') return null;
  let callee = unwrapValue(node.childForFieldName('function'));
  if (callee?.type === 'member_expression') {
    const method = callee.childForFieldName('property');
    if (method === null || !/^(?:call|apply)$/.test(ex.text(method))) return null;
    callee = unwrapValue(callee.childForFieldName('object'));
  }
  return callee !== null && FUNCTION_VALUES.has(callee.type) ? callee : null;
}

/**
 * A value computed by an IIFE (`var Diff = (function () { function Diff() {} … return
 * Diff; }())`, the shape compiled TypeScript classes take) is a module pattern: the
 * functions and classes its body declares belong to the enclosing scope, its plain
 * variables do not.
 */
function walkIifeValue(value: Node | null, ex: Extractor, scope: Scope): void {
  const callee = iifeCallee(value, ex);
  const body = callee?.childForFieldName('body');
  if (body?.type === 'statement_block') ex.walk(body, { ...scope, kind: 'function' });
}

/**
 * The functions of an object literal (`{ a() {}, b: function () {}, c: () => {} }`) as
 * members of `scope`, or qualified by `qualifier` when the object has no symbol of its
 * own (a local object, `module.exports = {…}`). Data members are not symbols.
 */
function objectMembers(object: Node, ex: Extractor, scope: Scope, qualifier: string | undefined, kind: SymbolKind, depth = 0): void {
  const qualify = (opts: EmitOptions): EmitOptions =>
    qualifier === undefined ? opts : { ...opts, qualifier: scope.prefix === '' ? qualifier : `${scope.prefix}.${qualifier}` };
  for (const member of object.namedChildren) {
    if (member === null) continue;
    if (member.type === 'method_definition') {
      const name = member.childForFieldName('name');
      if (name === null) continue;
      const text = memberName(name, ex);
      const accessor = hasToken(member, 'get') || hasToken(member, 'set');
      const body = member.childForFieldName('body');
      const index = ex.emit(member, text, accessor ? 'property' : kind, scope, qualify({ sigEnd: body }));
      ex.walkBody(body, index);
    } else if (member.type === 'pair') {
      const key = member.childForFieldName('key');
      const value = unwrapValue(member.childForFieldName('value'));
      if (key === null || value === null || key.type === 'computed_property_name') continue;
      if (FUNCTION_VALUES.has(value.type)) {
        functionNamed(value, memberName(key, ex), kind, ex, scope, qualify({ range: member, sigStart: member.startIndex }));
      } else if (value.type === 'class') {
        classNamed(value, memberName(key, ex), ex, scope, qualify({ range: member, sigStart: member.startIndex }));
      } else if (value.type === 'object' && depth < 3) {
        // `{ log: { info() {} } }`: `log.info`.
        const nested = qualifier === undefined ? memberName(key, ex) : `${qualifier}.${memberName(key, ex)}`;
        objectMembers(value, ex, scope, nested, kind, depth + 1);
      }
    }
  }
}

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
  const body = node.childForFieldName('body');
  const index = ex.emit(node, text, kind, scope, { sigEnd: body });
  ex.walkBody(body, index);
};

/** Class fields; an arrow function in a field (`onClick = () => {}`) behaves as a method. */
const fieldDecl: Handler = (node, ex, scope) => {
  const name = node.childForFieldName('name') ?? node.childForFieldName('property');
  if (name === null) return;
  const value = node.childForFieldName('value');
  if (value !== null && FUNCTION_VALUES.has(value.type)) {
    functionNamed(value, memberName(name, ex), 'method', ex, scope, { range: node, sigStart: node.startIndex });
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

/** `a.b.c` as its parts, or null when any part is not a plain name (`a[0].b`, `f().b`). */
function memberPath(node: Node, ex: Extractor): string[] | null {
  const parts: string[] = [];
  let at: Node | null = node;
  while (at !== null && at.type === 'member_expression') {
    const property = at.childForFieldName('property');
    if (property === null || (property.type !== 'property_identifier' && property.type !== 'private_property_identifier')) return null;
    parts.unshift(ex.text(property));
    at = at.childForFieldName('object');
  }
  if (at === null || (at.type !== 'identifier' && at.type !== 'this')) return null;
  parts.unshift(ex.text(at));
  return parts;
}

/**
 * The scope members of `owner` belong to: the symbol of that name in `scope` when this
 * file declared one (`function Foo` before `Foo.prototype.bar = …`), otherwise `scope`
 * with `owner` as the qualifier.
 */
function ownerScope(owner: string, ex: Extractor, scope: Scope): { scope: Scope; qualifier?: string } {
  const qualified = scope.prefix === '' ? owner : `${scope.prefix}.${owner}`;
  const index = ex.findSymbol(qualified);
  if (index !== null && ex.symbols[index]!.parent === scope.parent) return { scope: ex.scopeOf(index, 'type') };
  return { scope, qualifier: qualified };
}

/**
 * CommonJS and prototype assignments whose value is a function, a class or an object of
 * functions:
 * - `module.exports = class X {}` / `function x() {}`: X / x; `module.exports = {…}`:
 *   its functions, at the module's level.
 * - `exports.x = …`, `module.exports.x = …`: x.
 * - `Foo.prototype.bar = …`: method `Foo.bar`; `Foo.prototype = {…}`: its methods.
 * - `Foo.bar = …`, `Foo.a.b = …`: `Foo.bar`, `Foo.a.b`; `this.bar = …` in a function: a
 *   method of that function's scope; `x = function () {}`: x.
 */
function assignmentDecl(assign: Node, ex: Extractor, scope: Scope): void {
  const left = assign.childForFieldName('left');
  const value = unwrapValue(assign.childForFieldName('right'));
  if (left === null || value === null) return;
  const isFunction = FUNCTION_VALUES.has(value.type);
  const isClass = value.type === 'class';
  const isObject = value.type === 'object';
  if (!isFunction && !isClass && !isObject) {
    // `a = b = function () {}`: the innermost assignment names the function.
    if (value.type === 'assignment_expression') assignmentDecl(value, ex, scope);
    else if (left.type === 'member_expression' && (value.type === 'identifier' || value.type === 'member_expression')) prototypeAlias(left, assign, ex, scope);
    else walkIifeValue(value, ex, scope);
    return;
  }
  const ownName = isFunction || isClass ? value.childForFieldName('name') : null;
  const sig: EmitOptions = { range: ex.outer ?? assign.parent ?? assign, sigStart: assign.startIndex };
  const emitValue = (name: string, kind: SymbolKind, target: Scope, qualifier?: string) => {
    const opts = qualifier === undefined ? sig : { ...sig, qualifier };
    if (isClass) classNamed(value, name, ex, target, opts);
    else functionNamed(value, name, kind, ex, target, opts);
  };
  if (left.type === 'identifier') {
    if (isObject) return;
    emitValue(ex.text(left), 'function', scope);
    return;
  }
  if (left.type !== 'member_expression') return;
  const path = memberPath(left, ex);
  if (path === null) return;
  const last = path[path.length - 1]!;
  if (path[0] === 'module' && path[1] === 'exports') {
    if (path.length === 2) {
      if (isObject) objectMembers(value, ex, scope, undefined, 'function');
      else if (ownName !== null) emitValue(ex.text(ownName), 'function', scope);
      // `module.exports = function () {…}` has no name to give, but its body may declare.
      else if (isFunction) {
        const body = value.childForFieldName('body');
        if (body?.type === 'statement_block') ex.walkAnonymousBody(body, scope);
      }
      return;
    }
    if (path.length === 3 && !isObject) emitValue(last, 'function', scope);
    return;
  }
  if (path[0] === 'exports') {
    if (path.length === 2 && !isObject) emitValue(last, 'function', scope);
    return;
  }
  if (path[0] === 'this') {
    if (path.length === 2 && !isObject && scope.kind === 'function' && scope.parent !== null) emitValue(last, 'method', scope);
    return;
  }
  const protoAt = path.indexOf('prototype');
  if (protoAt === 0) return;
  if (protoAt > 0) {
    const owner = ownerScope(path.slice(0, protoAt).join('.'), ex, scope);
    if (protoAt === path.length - 1) {
      if (isObject) objectMembers(value, ex, owner.scope, owner.qualifier, 'method');
    } else if (protoAt === path.length - 2 && !isObject) {
      emitValue(last, 'method', owner.scope, owner.qualifier);
    }
    return;
  }
  if (isObject) return;
  const owner = ownerScope(path.slice(0, -1).join('.'), ex, scope);
  emitValue(last, owner.qualifier === undefined ? 'method' : 'function', owner.scope, owner.qualifier);
}

/** `Foo.prototype.bar = baz`: a method of Foo defined elsewhere, a method all the same. */
function prototypeAlias(left: Node, assign: Node, ex: Extractor, scope: Scope): void {
  const path = memberPath(left, ex);
  if (path === null || path.length < 3 || path[path.length - 2] !== 'prototype') return;
  const owner = ownerScope(path.slice(0, -2).join('.'), ex, scope);
  const opts: EmitOptions = { range: ex.outer ?? assign.parent ?? assign, sigStart: assign.startIndex };
  ex.emit(assign, path[path.length - 1]!, 'method', owner.scope, owner.qualifier === undefined ? opts : { ...opts, qualifier: owner.qualifier });
}

/** Callees whose function arguments are a module body: AMD `define`/`require`. */
const MODULE_LOADERS = new Set(['define', 'require', 'requirejs']);

/**
 * Functions run for their side effects at the place they are written: an IIFE, a UMD
 * wrapper and its factory, an AMD `define(…, function () {})` callback are module bodies
 * (what they declare belongs to the enclosing scope, as if written there); any other
 * callback (`describe('x', () => {…})`, `it(…)`, `app.get(…, function handler() {})`) is
 * a function body: a named function expression is a local function, and what an
 * anonymous one declares is local.
 */
function scanCall(expr: Node, ex: Extractor, scope: Scope, depth = 0): void {
  if (depth > 8) return;
  let node: Node | null = expr;
  while (node !== null && (node.type === 'parenthesized_expression' || node.type === 'unary_expression' || node.type === 'await_expression')) {
    node = node.type === 'unary_expression' ? node.childForFieldName('argument') : node.firstNamedChild;
  }
  if (node === null) return;
  if (node.type === 'sequence_expression') {
    for (const part of node.namedChildren) if (part !== null) scanCall(part, ex, scope, depth + 1);
    return;
  }
  if (node.type === 'assignment_expression') {
    assignmentDecl(node, ex, scope);
    return;
  }
  if (node.type !== 'call_expression' && node.type !== 'new_expression') return;
  let callee = unwrapValue(node.childForFieldName(node.type === 'call_expression' ? 'function' : 'constructor'));
  // `(function () {}).call(this)`: the function is the callee.
  if (callee?.type === 'member_expression') {
    const object = unwrapValue(callee.childForFieldName('object'));
    const method = callee.childForFieldName('property');
    if (object !== null && FUNCTION_VALUES.has(object.type) && method !== null && /^(?:call|apply)$/.test(ex.text(method))) callee = object;
  }
  const iife = callee !== null && FUNCTION_VALUES.has(callee.type);
  const loader = callee?.type === 'identifier' && MODULE_LOADERS.has(ex.text(callee));
  const moduleBody = iife || loader;
  if (iife) inlineFunction(callee!, ex, scope, moduleBody);
  else if (callee?.type === 'call_expression' || callee?.type === 'member_expression') {
    // Chains: `describe(…).timeout(5)`, `promise.then(…).catch(…)`.
    const inner = callee.type === 'member_expression' ? callee.childForFieldName('object') : callee;
    if (inner !== null) scanCall(inner, ex, scope, depth + 1);
  }
  const args = node.childForFieldName('arguments');
  if (args === null) return;
  for (const arg of args.namedChildren) {
    const value = unwrapValue(arg);
    if (value === null) continue;
    if (FUNCTION_VALUES.has(value.type)) inlineFunction(value, ex, scope, moduleBody);
    else if (value.type === 'call_expression') scanCall(value, ex, scope, depth + 1);
  }
}

/** A function written inline in a call (see scanCall). */
function inlineFunction(fn: Node, ex: Extractor, scope: Scope, moduleBody: boolean): void {
  const body = fn.childForFieldName('body');
  if (body === null || body.type !== 'statement_block') return;
  const name = fn.childForFieldName('name');
  if (moduleBody) {
    ex.walk(body, scope);
  } else if (name !== null) {
    functionNamed(fn, ex.text(name), 'function', ex, { ...scope, kind: 'function', local: true });
  } else {
    ex.walkAnonymousBody(body, scope);
  }
}

/** `return function name() {…}` (a factory's product) and IIFE-built return values. */
const returnStatement: Handler = (node, ex, scope) => {
  if (scope.kind !== 'function') return;
  const value = unwrapValue(node.firstNamedChild);
  if (value === null) return;
  if (FUNCTION_VALUES.has(value.type)) inlineFunction(value, ex, scope, false);
  else if (value.type === 'class') {
    const name = value.childForFieldName('name');
    if (name !== null) classNamed(value, ex.text(name), ex, scope);
  } else scanCall(value, ex, scope);
};

const expressionStatement: Handler = (node, ex, scope) => {
  if (scope.kind === 'type') return;
  const expr = node.firstNamedChild;
  if (expr !== null) scanCall(expr, ex, scope);
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
  expression_statement: expressionStatement,
  return_statement: returnStatement,
};

export const javascriptSpec: LanguageSpec = {
  handlers,
  wrappers: new Set(['ambient_declaration']),
  // Module-level `if`/`try` blocks (UMD feature tests, optional polyfills) define API too.
  passthrough: new Set(['ERROR', 'if_statement', 'else_clause', 'statement_block', 'try_statement', 'catch_clause', 'finally_clause']),
  bodyPassthrough: new Set([
    'for_statement',
    'for_in_statement',
    'while_statement',
    'do_statement',
    'switch_statement',
    'switch_body',
    'switch_case',
    'switch_default',
    'labeled_statement',
  ]),
  comments: new Set(['comment']),
  scanImports: scanCalls,
};
