import type { Node } from 'web-tree-sitter';
import type { Extractor } from '../extract/extractor.js';
import type { Handler, LanguageSpec, Scope } from '../extract/language-spec.js';
import { unquote } from '../extract/text.js';

/** `Ledger` and its qualifier `Banking` out of `Banking::Ledger`. */
function constantPath(name: Node, ex: Extractor, scope: Scope): { name: string; qualifier?: string } {
  const text = ex.text(name).replace(/^::/, '');
  const parts = text.split('::');
  if (parts.length === 1) return { name: text };
  const outer = parts.slice(0, -1).join('.');
  return { name: parts[parts.length - 1]!, qualifier: scope.prefix === '' ? outer : `${scope.prefix}.${outer}` };
}

function container(kind: 'class' | 'module'): Handler {
  return (node, ex, scope) => {
    const nameNode = node.childForFieldName('name');
    if (nameNode === null) return;
    const { name, qualifier } = constantPath(nameNode, ex, scope);
    const head = node.childForFieldName('superclass') ?? nameNode;
    const index = ex.emit(node, name, kind, scope, { sigEnd: head.endIndex, qualifier });
    const body = node.childForFieldName('body');
    ex.walk(body ?? node, ex.scopeOf(index, kind === 'class' ? 'type' : 'namespace'));
  };
}

/** `def x` and `def self.x`; at top level a def is a function, otherwise a method. */
const methodDef: Handler = (node, ex, scope) => {
  const name = node.childForFieldName('name');
  if (name === null) return;
  const text = ex.text(name);
  const kind = scope.kind === 'file' || scope.kind === 'function' ? 'function' : text === 'initialize' ? 'constructor' : 'method';
  const head = node.childForFieldName('parameters') ?? name;
  ex.emit(node, text, kind, scope, { sigEnd: head.endIndex });
};

/** `class << self` holds singleton methods of the enclosing class. */
const singletonClass: Handler = (node, ex, scope) => {
  const body = node.childForFieldName('body');
  ex.walk(body ?? node, scope);
};

const assignment: Handler = (node, ex, scope) => {
  const left = node.childForFieldName('left');
  if (left?.type === 'constant') ex.emitValue(node, ex.text(left), 'constant', scope);
};

const REQUIRES: Readonly<Record<string, 'require' | 'include'>> = {
  require: 'require',
  load: 'require',
  // require_relative is resolved against the requiring file, like a C `#include "x"`.
  require_relative: 'include',
};
const ATTRIBUTES = new Set(['attr_reader', 'attr_writer', 'attr_accessor']);
const VISIBILITY = new Set(['private', 'protected', 'public', 'module_function', 'private_class_method']);

/** `require 'x'`, `require_relative 'y'` and `attr_accessor :a, :b`. */
const call: Handler = (node, ex, scope) => {
  if (node.childForFieldName('receiver') !== null) return;
  const method = node.childForFieldName('method');
  if (method === null) return;
  const name = ex.text(method);
  const args = node.childForFieldName('arguments');
  if (args === null) return;
  const kind = REQUIRES[name];
  if (kind !== undefined) {
    const arg = args.firstNamedChild;
    if (arg?.type === 'string' && !arg.namedChildren.some((c) => c?.type === 'interpolation')) {
      ex.addImport(unquote(ex.text(arg)), kind, node);
    }
    return;
  }
  // `private def helper` defines the method it marks.
  if (VISIBILITY.has(name)) {
    for (const arg of args.namedChildren) {
      if (arg?.type === 'method' || arg?.type === 'singleton_method') methodDef(arg, ex, scope);
    }
    return;
  }
  if (ATTRIBUTES.has(name) && scope.kind === 'type') {
    for (const arg of args.namedChildren) {
      if (arg?.type === 'simple_symbol') ex.emit(node, ex.text(arg).slice(1), 'property', scope);
    }
  }
};

/**
 * `describe 'x' do … end` (RSpec, minitest specs, Rake tasks): what the block declares
 * is local to it. In a class or module body (`included do … end`, `class_methods do …
 * end`) the block's methods belong to the class or module.
 */
const blockCall: Handler = (node, ex, scope) => {
  const block = node.childForFieldName('block');
  const body = block?.childForFieldName('body') ?? null;
  if (body === null || scope.kind === 'function') return;
  if (scope.kind === 'file') ex.walkAnonymousBody(body, scope);
  else ex.walk(body, scope);
};

const callDecl: Handler = (node, ex, scope) => {
  call(node, ex, scope);
  blockCall(node, ex, scope);
};

export const rubySpec: LanguageSpec = {
  handlers: {
    class: container('class'),
    module: container('module'),
    method: methodDef,
    singleton_method: methodDef,
    singleton_class: singletonClass,
    assignment,
    call: callDecl,
  },
  passthrough: new Set(['ERROR', 'body_statement', 'begin_block']),
  comments: new Set(['comment']),
};
