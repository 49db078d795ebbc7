import type { Node } from 'web-tree-sitter';
import type { Extractor } from '../extract/extractor.js';
import type { Handler, LanguageSpec } from '../extract/language-spec.js';
import { cleanDocstring, isUpperCase } from '../extract/text.js';

const PROPERTY_DECORATOR = /^@(?:property|cached_property|functools\.cached_property|[\w.]+\.(?:setter|getter|deleter))\b/;

/**
 * The docstring of a class or function body: its first statement, if a string. The source
 * text is checked first because each tree lookup is a call into WASM.
 */
function docstring(body: Node | null, ex: Extractor): string | null {
  const first = body?.firstNamedChild;
  if (!first || !STRING_START.test(ex.source.slice(first.startIndex, first.startIndex + 4))) return null;
  const literal = first.firstNamedChild;
  if (!literal || literal.type !== 'string' || first.type !== 'expression_statement') return null;
  return cleanDocstring(ex.text(literal));
}

const STRING_START = /^[rRuUbBfF]{0,2}['"]/;

/** `def f(x) -> T:  # note` → `def f(x) -> T`: the colon and any comment after it go. */
const HEADER_END = /:\s*(?:#[^\n]*)?\s*$/;

function headerSignature(sig: string): string {
  return sig.replace(HEADER_END, '');
}

function isProperty(ex: Extractor): boolean {
  const outer = ex.outer;
  if (outer === null || outer.type !== 'decorated_definition') return false;
  for (const child of outer.namedChildren) {
    if (child?.type === 'decorator' && PROPERTY_DECORATOR.test(ex.text(child))) return true;
  }
  return false;
}

/** Functions, methods, and the functions and classes nested in their bodies (local). */
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
  const body = node.childForFieldName('body');
  const index = ex.emit(node, text, kind, scope, { sigEnd: body, sigMap: headerSignature, doc: docstring(body, ex) });
  ex.walkBody(body, index);
};

const classDef: Handler = (node, ex, scope) => {
  const name = node.childForFieldName('name');
  if (name === null) return;
  const body = node.childForFieldName('body');
  const index = ex.emit(node, ex.text(name), 'class', scope, {
    sigEnd: body,
    sigMap: headerSignature,
    doc: docstring(body, ex),
  });
  if (body !== null) ex.walk(body, ex.scopeOf(index, 'type'));
};

/**
 * `NAME = ...` and `name: T = ...` at module or class level. In a function body only a
 * named lambda (`key = lambda x: x[0]`) counts, as a local function: other locals stay out.
 */
const assignment: Handler = (node, ex, scope) => {
  const assign = node.firstNamedChild;
  if (assign === null || assign.type !== 'assignment') return;
  const left = assign.childForFieldName('left');
  if (left === null) return;
  if (scope.kind === 'function') {
    const right = assign.childForFieldName('right');
    if (left.type === 'identifier' && right?.type === 'lambda') ex.emit(node, ex.text(left), 'function', scope);
    return;
  }
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

/**
 * Module-level `if` blocks define API conditionally: walked as if at module level. The
 * `if __name__ == "__main__":` block is script code: its functions and classes count
 * (at module level, not local), its variables do not.
 */
const ifStatement: Handler = (node, ex, scope) => {
  const condition = node.childForFieldName('condition');
  if (scope.kind === 'file' && condition !== null && /^__name__\s*==|==\s*__name__$/.test(ex.text(condition))) {
    ex.walk(node, { ...scope, kind: 'function' });
    return;
  }
  ex.walk(node, scope);
};

const IMPORT_TYPES = new Set(['import_statement', 'import_from_statement']);

/**
 * Imports inside function bodies (lazy imports) are found by a text scan the tree confirms.
 * Every import statement contains the word `import`, so one indexOf pass finds all candidate
 * lines; only indented lines matter, the walk has already seen the unindented ones.
 */
function scanNestedImports(root: Node, ex: Extractor): void {
  const source = ex.source;
  let lastLineStart = -1;
  for (let at = source.indexOf('import'); at !== -1; at = source.indexOf('import', at + 6)) {
    const lineStart = source.lastIndexOf('\n', at) + 1;
    if (lineStart === lastLineStart) continue;
    lastLineStart = lineStart;
    let first = lineStart;
    while (first < at && (source.charCodeAt(first) === 32 || source.charCodeAt(first) === 9)) first++;
    if (first === lineStart || ex.seenImports.has(first)) continue;
    const isImport = first === at || source.startsWith('from', first);
    if (!isImport || !/[ \t]/.test(source.charAt(first + (first === at ? 6 : 4)))) continue;
    const keyword = root.descendantForIndex(first, first + 1);
    const statement = keyword?.parent;
    if (!statement || statement.startIndex !== first || !IMPORT_TYPES.has(statement.type)) continue;
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
  passthrough: new Set([
    'elif_clause',
    'else_clause',
    'try_statement',
    'except_clause',
    'except_group_clause',
    'finally_clause',
    'with_statement',
    'for_statement',
    'while_statement',
    'block',
    'ERROR',
  ]),
  bodyPassthrough: new Set(['match_statement', 'case_clause']),
  // A nested declaration needs one of these words; most bodies have none and are not walked.
  bodyHint: /\b(?:def|class|lambda)\b/g,
  comments: new Set(['comment']),
  scanImports: scanNestedImports,
};
