import type { Node } from 'web-tree-sitter';
import type { Extractor } from '../extract/extractor.js';
import type { Handler, LanguageSpec } from '../extract/language-spec.js';
import { childOfType, hasToken } from '../extract/nodes.js';
import { isUpperCase, stripLeadingAnnotations } from '../extract/text.js';

const sigMap = stripLeadingAnnotations;
const COMMENTS = new Set(['line_comment', 'multiline_comment', 'comment']);
const CLASS_BODIES = new Set(['class_body', 'enum_class_body']);

function modifierWords(node: Node): string {
  const modifiers = childOfType(node, 'modifiers');
  return modifiers === null ? '' : modifiers.text;
}

/** The grammar has no fields: the class name is its first type identifier. */
const classDecl: Handler = (node, ex, scope) => {
  const name = childOfType(node, 'type_identifier');
  if (name === null) return;
  const body = childOfType(node, CLASS_BODIES);
  const kind = hasToken(node, 'interface') ? 'interface' : body?.type === 'enum_class_body' ? 'enum' : 'class';
  const index = ex.emit(node, ex.text(name), kind, scope, { sigEnd: body, sigMap });
  const inner = ex.scopeOf(index, 'type');
  // `class User(val id: String)` declares properties in its primary constructor.
  const primary = childOfType(node, 'primary_constructor');
  if (primary !== null) {
    for (const param of primary.namedChildren) {
      if (param?.type !== 'class_parameter' || childOfType(param, 'binding_pattern_kind') === null) continue;
      const paramName = childOfType(param, 'simple_identifier');
      if (paramName !== null) ex.emit(param, ex.text(paramName), 'property', inner, { sigMap });
    }
  }
  if (body !== null) ex.walk(body, inner);
};

/** A companion object's members are reached through the class: `User.create()`. */
const companionObject: Handler = (node, ex, scope) => {
  const body = childOfType(node, 'class_body');
  if (body !== null) ex.walk(body, scope);
};

const functionDecl: Handler = (node, ex, scope) => {
  const name = childOfType(node, 'simple_identifier');
  if (name === null) return;
  const body = childOfType(node, 'function_body');
  const index = ex.emit(node, ex.text(name), scope.kind === 'type' ? 'method' : 'function', scope, { sigEnd: body, sigMap });
  // Local functions and classes declared in the body.
  ex.walkBody(body, index);
};

const secondaryConstructor: Handler = (node, ex, scope) => {
  ex.emit(node, 'constructor', 'constructor', scope, { sigEnd: childOfType(node, 'statements'), sigMap });
};

/** `val`/`var`: properties in types; at top level `const val` or UPPER_CASE are constants. */
const propertyDecl: Handler = (node, ex, scope) => {
  // Local `val`s and `var`s are not symbols.
  if (scope.kind === 'function') return;
  const variable = childOfType(node, 'variable_declaration');
  const name = variable === null ? null : childOfType(variable, 'simple_identifier');
  if (name === null) return;
  const text = ex.text(name);
  const isConst = /\bconst\b/.test(modifierWords(node));
  const kind = isConst
    ? 'constant'
    : scope.kind === 'type'
      ? 'property'
      : hasToken(node, 'val') && isUpperCase(text)
        ? 'constant'
        : 'variable';
  ex.emitValue(node, text, kind, scope, { sigMap });
};

const enumEntry: Handler = (node, ex, scope) => {
  const name = childOfType(node, 'simple_identifier');
  if (name !== null) ex.emit(node, ex.text(name), 'enum_member', scope, { sigMap });
};

const typeAlias: Handler = (node, ex, scope) => {
  const name = childOfType(node, 'type_identifier');
  if (name !== null) ex.emit(node, ex.text(name), 'type', scope, { sigMap });
};

function importHeader(node: Node, ex: Extractor): void {
  const path = childOfType(node, 'identifier');
  if (path === null) return;
  const text = ex.text(path).replace(/\s+/g, '');
  const wildcard = childOfType(node, 'wildcard_import') !== null;
  ex.addImport(wildcard ? `${text}.*` : text, 'import', node, [wildcard ? '*' : text.slice(text.lastIndexOf('.') + 1)]);
}

/**
 * The grammar files a comment that follows the last import inside that import; it belongs
 * to the declaration below, so it is handed back to the walk as a doc candidate.
 */
const importList: Handler = (node, ex) => {
  let last: Node | null = null;
  for (const header of node.namedChildren) {
    if (header?.type !== 'import_header') continue;
    importHeader(header, ex);
    last = header;
  }
  if (last !== null) ex.carryComments(trailingComments(last));
};

function trailingComments(node: Node): Node[] {
  const out: Node[] = [];
  for (let child = node.lastNamedChild; child !== null && COMMENTS.has(child.type); child = child.previousNamedSibling) {
    out.unshift(child);
  }
  return out;
}

export const kotlinSpec: LanguageSpec = {
  handlers: {
    class_declaration: classDecl,
    object_declaration: classDecl,
    companion_object: companionObject,
    function_declaration: functionDecl,
    secondary_constructor: secondaryConstructor,
    property_declaration: propertyDecl,
    enum_entry: enumEntry,
    type_alias: typeAlias,
    import_list: importList,
    import_header: (node, ex) => importHeader(node, ex),
  },
  passthrough: new Set(['ERROR']),
  bodyPassthrough: new Set([
    'statements',
    'control_structure_body',
    'if_expression',
    'for_statement',
    'while_statement',
    'do_while_statement',
    'try_expression',
    'catch_block',
    'finally_block',
    'when_expression',
    'when_entry',
  ]),
  bodyHint: /\b(?:fun|class|interface|object)\b/g,
  comments: COMMENTS,
};

