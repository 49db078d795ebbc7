import type { Node } from 'web-tree-sitter';
import type { Extractor } from '../extract/extractor.js';
import type { Handler, LanguageSpec } from '../extract/language-spec.js';
import { cleanDocstring, isUpperCase } from '../extract/text.js';

const PROPERTY_DECORATOR = /^@(?:property|cached_property|functools\.cached_property|[\w.]+\.(?:setter|getter|deleter))\b/;

/** The docstring of a module, class or function body: its first statement, if a string. */
function docstring(body: Node | null, ex: Extractor): string | null {
  const first = body?.firstNamedChild;
  if (!first || first.type !== 'expression_statement') return null;
  const literal = first.firstNamedChild;
  if (!literal || literal.type !== 'string') return null;
  return cleanDocstring(ex.text(literal));
}

function isProperty(ex: Extractor): boolean {
  const outer = ex.outer;
  if (outer === null || outer.type !== 'decorated_definition') return false;
  for (const child of outer.namedChildren) {
    if (child?.type === 'decorator' && PROPERTY_DECORATOR.test(ex.text(child))) return true;
  }
  return false;
}

/** Methods inside classes; nested functions inside functions are deliberately not walked. */
const functionDef: Handler = (node, ex, scope) => {
  const name = node.childForFieldName('name');
  if (name === null) return;
  const text = ex.text(name);
  const kind =
    scope.kind !== 'type'
      ? 'function'
      : text === '__init__'
        ? 'constructor'
        : isProperty(ex)
          ? 'property'
          : 'method';
  const head = node.childForFieldName('return_type') ?? node.childForFieldName('parameters') ?? name;
  ex.emit(node, text, kind, scope, {
    sigEnd: head.endIndex,
    doc: docstring(node.childForFieldName('body'), ex),
  });
};

const classDef: Handler = (node, ex, scope) => {
  const name = node.childForFieldName('name');
  if (name === null) return;
  const body = node.childForFieldName('body');
  const head = node.childForFieldName('superclasses') ?? node.childForFieldName('type_parameters') ?? name;
  const index = ex.emit(node, ex.text(name), 'class', scope, { sigEnd: head.endIndex, doc: docstring(body, ex) });
  if (body !== null) ex.walk(body, ex.scopeOf(index, 'type'));
};

/** `NAME = ...` and `name: T = ...` at module or class level; the first target only. */
const assignment: Handler = (node, ex, scope) => {
  const assign = node.firstNamedChild;
  if (assign === null || assign.type !== 'assignment') return;
  const left = assign.childForFieldName('left');
  if (left === null) return;
  const targets =
    left.type === 'identifier'
      ? [left]
      : left.type === 'pattern_list' || left.type === 'tuple_pattern'
        ? left.namedChildren.filter((c): c is Node => c?.type === 'identifier')
        : [];
  for (const target of targets) {
    const text = ex.text(target);
    const kind = isUpperCase(text) ? 'constant' : scope.kind === 'type' ? 'field' : 'variable';
    ex.emitValue(node, text, kind, scope);
  }
};

function moduleName(node: Node, ex: Extractor): string {
  return ex.text(node).replace(/\s+/g, '');
}

function importStatement(node: Node, ex: Extractor): void {
  for (const name of node.childrenForFieldName('name')) {
    if (name === null) continue;
    const dotted = name.type === 'aliased_import' ? name.childForFieldName('name') : name;
    if (dotted !== null) ex.addImport(moduleName(dotted, ex), 'import', node);
  }
}

function importFrom(node: Node, ex: Extractor): void {
  const module = node.childForFieldName('module_name');
  if (module === null) return;
  const names: string[] = [];
  for (const child of node.namedChildren) {
    if (child === null || child.startIndex === module.startIndex) continue;
    if (child.type === 'wildcard_import') names.push('*');
    else if (child.type === 'dotted_name') names.push(moduleName(child, ex));
    else if (child.type === 'aliased_import') {
      const original = child.childForFieldName('name');
      if (original !== null) names.push(moduleName(original, ex));
    }
  }
  ex.addImport(moduleName(module, ex), 'import', node, names);
}

/** `if __name__ == "__main__":` holds script code, not module API. */
const ifStatement: Handler = (node, ex, scope) => {
  const condition = node.childForFieldName('condition');
  if (condition !== null && ex.text(condition).includes('__name__')) return;
  ex.walk(node, scope);
};

// Anchoring on the newline instead of `^` with the m flag makes the scan several times faster.
const NESTED_IMPORT = /\n[ \t]+(?:import|from)[ \t]/g;
const IMPORT_TYPES = new Set(['import_statement', 'import_from_statement']);

/** Imports inside function bodies (lazy imports) are found by a text scan the tree confirms. */
function scanNestedImports(root: Node, ex: Extractor): void {
  NESTED_IMPORT.lastIndex = 0;
  const source = ex.source;
  for (let m = NESTED_IMPORT.exec(source); m !== null; m = NESTED_IMPORT.exec(source)) {
    const at = m.index + m[0].length - m[0].trimStart().length;
    const keyword = root.descendantForIndex(at, at + 1);
    const statement = keyword?.parent;
    if (!statement || !IMPORT_TYPES.has(statement.type) || statement.startIndex !== at) continue;
    if (ex.seenImports.has(at)) continue;
    (statement.type === 'import_statement' ? importStatement : importFrom)(statement, ex);
  }
}

export const pythonSpec: LanguageSpec = {
  handlers: {
    function_definition: functionDef,
    class_definition: classDef,
    expression_statement: assignment,
    import_statement: importStatement,
    import_from_statement: importFrom,
    if_statement: ifStatement,
  },
  wrappers: new Set(['decorated_definition']),
  passthrough: new Set(['elif_clause', 'else_clause', 'try_statement', 'except_clause', 'finally_clause', 'block', 'ERROR']),
  comments: new Set(['comment']),
  scanImports: scanNestedImports,
};
