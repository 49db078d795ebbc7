import type { Node } from 'web-tree-sitter';
import type { Extractor } from '../extract/extractor.js';
import type { Handler, LanguageSpec, Scope } from '../extract/language-spec.js';
import { isUpperCase, unquote } from '../extract/text.js';
import type { SymbolKind } from '../types.js';

/** C and C++ share one table: the C++-only node types never occur in a C tree. */

const WRAPPING_DECLARATORS = new Set([
  'pointer_declarator',
  'reference_declarator',
  'array_declarator',
  'parenthesized_declarator',
  'attributed_declarator',
  'init_declarator',
]);
const SPECIFIERS: Readonly<Record<string, SymbolKind>> = {
  struct_specifier: 'struct',
  union_specifier: 'union',
  class_specifier: 'class',
  enum_specifier: 'enum',
};

interface Declared {
  /** The function declarator when this declares a function (not a function pointer). */
  fn: Node | null;
  name: Node | null;
}

/** Looks through `*`, `&`, `[]`, `( )` and `= init` to what a declarator declares. */
function unwrapDeclarator(declarator: Node | null): Declared {
  let at = declarator;
  while (at !== null) {
    if (at.type === 'function_declarator') {
      const inner = at.childForFieldName('declarator');
      // `void (*cb)(int)` declares a pointer, not a function.
      if (inner?.type === 'parenthesized_declarator') {
        at = inner;
        continue;
      }
      return { fn: at, name: inner };
    }
    if (!WRAPPING_DECLARATORS.has(at.type)) return { fn: null, name: at };
    at = at.childForFieldName('declarator') ?? at.firstNamedChild;
  }
  return { fn: null, name: null };
}

/** `Foo::bar` → ['Foo', 'bar']; template arguments dropped: `Grid<T>::at` → ['Grid', 'at']. */
function nameSegments(node: Node, ex: Extractor): string[] {
  if (node.type === 'qualified_identifier' || node.type === 'nested_namespace_specifier') {
    const out: string[] = [];
    const scope = node.childForFieldName('scope');
    if (scope !== null) out.push(...nameSegments(scope, ex));
    const name = node.childForFieldName('name');
    if (name !== null) out.push(...nameSegments(name, ex));
    if (node.type === 'nested_namespace_specifier' && scope === null && name === null) {
      for (const part of node.namedChildren) if (part !== null) out.push(...nameSegments(part, ex));
    }
    return out;
  }
  if (node.type === 'template_type' || node.type === 'template_function') {
    const name = node.childForFieldName('name');
    return [name === null ? ex.text(node) : ex.text(name)];
  }
  return [ex.text(node).replace(/\s+/g, '')];
}

function lastSegment(prefix: string): string {
  return prefix.slice(prefix.lastIndexOf('.') + 1);
}

/**
 * Whether `Owner` in an out-of-class `Owner::name` definition is a namespace rather than a
 * class. The file's own declarations decide when they can; otherwise the usual naming habit
 * does: classes are capitalised, namespaces are not.
 */
function isNamespaceLike(owner: string, names: FileNames): boolean {
  if (names.namespaces.has(owner)) return true;
  if (names.classes.has(owner)) return false;
  return !/^[A-Z]/.test(owner);
}

/**
 * A function definition or prototype. In a class body it is a method (a constructor when
 * named after the class); `Foo::bar` outside the class is method `Foo.bar`, and
 * `ns::bar` is function `ns.bar`.
 */
function emitFunction(node: Node, nameNode: Node, ex: Extractor, scope: Scope): number | null {
  const names = namesOf(ex);
  const segments = nameSegments(nameNode, ex);
  const name = segments.pop();
  if (name === undefined || name === '') return null;
  const body = node.childForFieldName('body');
  const initializers = node.namedChildren.find((c) => c?.type === 'field_initializer_list') ?? null;
  const sigEnd = initializers ?? body ?? node.endIndex;
  let kind: SymbolKind;
  let qualifier: string | undefined;
  if (segments.length > 0) {
    const owner = segments[segments.length - 1]!;
    qualifier = [scope.prefix, ...segments].filter((s) => s !== '').join('.');
    kind = name === owner ? 'constructor' : isNamespaceLike(owner, names) ? 'function' : 'method';
  } else if (scope.kind === 'type') {
    kind = name === lastSegment(scope.prefix) ? 'constructor' : 'method';
  } else {
    kind = 'function';
  }
  return ex.emit(node, name, kind, scope, { sigEnd, qualifier });
}

interface FileNames {
  namespaces: Set<string>;
  classes: Set<string>;
}

/** Namespace and class names declared in the file being extracted, per extractor. */
const namesByExtractor = new WeakMap<Extractor, FileNames>();
function namesOf(ex: Extractor): FileNames {
  let names = namesByExtractor.get(ex);
  if (names === undefined) namesByExtractor.set(ex, (names = { namespaces: new Set(), classes: new Set() }));
  return names;
}

const functionDefinition: Handler = (node, ex, scope) => {
  const { fn, name } = unwrapDeclarator(node.childForFieldName('declarator'));
  if (fn === null || name === null) return;
  const index = emitFunction(node, name, ex, scope);
  // Local classes, structs and enums declared in the body.
  if (index !== null) ex.walkBody(node.childForFieldName('body'), index);
};

function emitSpecifier(node: Node, ex: Extractor, scope: Scope, nameOverride?: string, range?: Node): void {
  const kind = SPECIFIERS[node.type];
  const body = node.childForFieldName('body');
  if (kind === undefined || body === null) return;
  const nameNode = node.childForFieldName('name');
  let name = nameOverride;
  let qualifier: string | undefined;
  if (nameNode !== null) {
    const segments = nameSegments(nameNode, ex);
    name = segments.pop();
    if (segments.length > 0) qualifier = [scope.prefix, ...segments].filter((s) => s !== '').join('.');
  }
  if (name === undefined || name === '') return;
  if (kind === 'class' || kind === 'struct') namesOf(ex).classes.add(name);
  const index = ex.emit(node, name, kind, scope, { sigEnd: body, qualifier, range });
  ex.walk(body, ex.scopeOf(index, 'type'));
}

const specifier: Handler = (node, ex, scope) => emitSpecifier(node, ex, scope);

function isConstant(node: Node, name: string): boolean {
  for (const child of node.namedChildren) {
    if (child?.type !== 'type_qualifier') continue;
    const word = child.text;
    if (word === 'constexpr' || word === 'consteval' || word === 'constinit') return true;
    if (word === 'const' && isUpperCase(name)) return true;
  }
  return false;
}

/** Prototypes, globals, and `struct x { ... } var;` at file or namespace level. */
const declaration: Handler = (node, ex, scope) => {
  const type = node.childForFieldName('type');
  if (type !== null && SPECIFIERS[type.type] !== undefined) emitSpecifier(type, ex, scope);
  // Local variables and block-scope prototypes are not symbols.
  if (scope.kind === 'function') return;
  for (const declarator of node.childrenForFieldName('declarator')) {
    const { fn, name } = unwrapDeclarator(declarator);
    if (name === null) continue;
    if (fn !== null) {
      const index = emitFunction(node, name, ex, scope);
      if (index !== null && scope.kind !== 'type') ex.markTentative(index);
      continue;
    }
    // `int Foo::count = 0;` defines a member declared elsewhere; locals are never walked.
    if (scope.kind === 'type' || name.type !== 'identifier') continue;
    const text = ex.text(name);
    ex.emitValue(node, text, isConstant(node, text) ? 'constant' : 'variable', scope);
  }
};

/** Members of a struct, union or class: fields, and method declarations in C++. */
const fieldDeclaration: Handler = (node, ex, scope) => {
  const type = node.childForFieldName('type');
  if (type !== null && SPECIFIERS[type.type] !== undefined) emitSpecifier(type, ex, scope);
  for (const declarator of node.childrenForFieldName('declarator')) {
    const { fn, name } = unwrapDeclarator(declarator);
    if (name === null) continue;
    if (fn !== null) emitFunction(node, name, ex, scope);
    else ex.emitValue(node, ex.text(name), 'field', scope);
  }
};

const enumerator: Handler = (node, ex, scope) => {
  const name = node.childForFieldName('name');
  if (name !== null) ex.emit(node, ex.text(name), 'enum_member', scope);
};

/** The name a typedef declarator introduces, through pointers and function-pointer parens. */
function typedefName(declarator: Node): Node | null {
  let at: Node | null = declarator;
  while (at !== null && at.type !== 'type_identifier' && at.type !== 'primitive_type') {
    at = at.childForFieldName('declarator') ?? at.firstNamedChild;
  }
  return at;
}

/**
 * `typedef struct list {...} list_t;` gives struct `list` and type `list_t`;
 * `typedef struct {...} point;` gives just struct `point`.
 */
const typeDefinition: Handler = (node, ex, scope) => {
  const type = node.childForFieldName('type');
  const names = node
    .childrenForFieldName('declarator')
    .map((d) => (d === null ? null : typedefName(d)))
    .filter((n): n is Node => n !== null);
  if (names.length === 0) return;
  const composite = type !== null && SPECIFIERS[type.type] !== undefined && type.childForFieldName('body') !== null;
  if (composite && type.childForFieldName('name') === null) {
    emitSpecifier(type, ex, scope, ex.text(names[0]!), node);
    return;
  }
  if (composite) emitSpecifier(type, ex, scope);
  for (const name of names) {
    const text = ex.text(name);
    ex.emit(node, text, 'type', scope, composite ? { sigEnd: type.childForFieldName('body'), sigMap: (sig) => `${sig} ${text}` } : {});
  }
};

const aliasDeclaration: Handler = (node, ex, scope) => {
  const name = node.childForFieldName('name');
  if (name !== null) ex.emit(node, ex.text(name), 'type', scope);
};

const namespaceDefinition: Handler = (node, ex, scope) => {
  const body = node.childForFieldName('body');
  const nameNode = node.childForFieldName('name');
  if (body === null) return;
  if (nameNode === null) {
    ex.walk(body, scope);
    return;
  }
  const segments = nameSegments(nameNode, ex);
  for (const segment of segments) namesOf(ex).namespaces.add(segment);
  const name = segments.pop()!;
  const qualifier = segments.length > 0 ? [scope.prefix, ...segments].filter((s) => s !== '').join('.') : undefined;
  const index = ex.emit(node, name, 'namespace', scope, { sigEnd: body, qualifier });
  ex.walk(body, ex.scopeOf(index, 'namespace'));
};

/** `#define NAME value` and `#define F(x) ...`; valueless defines are include guards or flags. */
const macro: Handler = (node, ex, scope) => {
  const name = node.childForFieldName('name');
  if (name === null) return;
  if (node.type === 'preproc_def' && node.childForFieldName('value') === null) return;
  const text = ex.text(node);
  const lineEnd = text.indexOf('\n');
  ex.emit(node, ex.text(name), 'macro', scope, { sigEnd: lineEnd === -1 ? node.endIndex : node.startIndex + lineEnd });
};

const include: Handler = (node, ex) => {
  const path = node.childForFieldName('path');
  if (path === null) return;
  const text = ex.text(path);
  if (path.type === 'system_lib_string') ex.addImport(text.replace(/^<|>$/g, ''), 'include', node);
  else if (path.type === 'string_literal') ex.addImport(unquote(text), 'include', node);
};

export const cFamilySpec: LanguageSpec = {
  handlers: {
    function_definition: functionDefinition,
    declaration,
    field_declaration: fieldDeclaration,
    struct_specifier: specifier,
    union_specifier: specifier,
    class_specifier: specifier,
    enum_specifier: specifier,
    enumerator,
    type_definition: typeDefinition,
    alias_declaration: aliasDeclaration,
    namespace_definition: namespaceDefinition,
    preproc_def: macro,
    preproc_function_def: macro,
    preproc_include: include,
  },
  wrappers: new Set(['template_declaration', 'linkage_specification']),
  passthrough: new Set([
    'preproc_ifdef',
    'preproc_if',
    'preproc_else',
    'preproc_elif',
    'preproc_elifdef',
    'declaration_list',
    'ERROR',
  ]),
  bodyPassthrough: new Set([
    'compound_statement',
    'if_statement',
    'else_clause',
    'for_statement',
    'for_range_loop',
    'while_statement',
    'do_statement',
    'switch_statement',
    'case_statement',
    'try_statement',
    'catch_clause',
    'labeled_statement',
  ]),
  bodyHint: /\b(?:class|struct|union|enum)\b/g,
  comments: new Set(['comment']),
  finish: (ex) => ex.dropTentativeDuplicates(),
};

