import { afterEach } from 'vitest';
import { createEmbedder } from '../../src/engine/embed/create-embedder.js';
import { Engine, type EngineOptions } from '../../src/engine/engine.js';

/** Engines created by a test are closed after it (workers stopped, handles closed). */
export function useEngines(): (dataDir: string, options?: Partial<EngineOptions>) => Engine {
  const engines: Engine[] = [];
  afterEach(async () => {
    await Promise.all(engines.splice(0).map((e) => e.close()));
  });
  return (dataDir, options = {}) => {
    const engine = new Engine({
      dataDir,
      embedder: createEmbedder({ provider: 'hash', dimension: 64 }),
      workers: 2,
      ...options,
    });
    engines.push(engine);
    return engine;
  };
}

/** A small polyglot repository with cross-file imports in TypeScript, Python and Go. */
export const DEMO_REPO: Record<string, string> = {
  'package.json': '{ "name": "demo" }\n',
  'ts/src/util/math.ts': [
    '/** Adds two numbers. */',
    'export function add(a: number, b: number): number {',
    '  return a + b;',
    '}',
    '',
    'export const MAX_RETRIES = 3;',
    '',
  ].join('\n'),
  'ts/src/services/user-service.ts': [
    "import { add } from '../util/math';",
    '',
    '/** Manages users and their sessions. */',
    'export class UserService {',
    '  /** Finds a user by id. */',
    '  getUserById(id: string): string {',
    '    return id + add(1, 2);',
    '  }',
    '',
    '  deleteUser(id: string): void {}',
    '}',
    '',
  ].join('\n'),
  'ts/src/index.ts': ["export { UserService } from './services/user-service.js';", "import './util/math.js';", ''].join('\n'),
  'py/pkg/__init__.py': '',
  'py/pkg/parser.py': [
    'import os',
    '',
    '',
    'def parse_config(path):',
    '    """Parse a configuration file into a dict."""',
    '    return {}',
    '',
    '',
    'class ConfigError(Exception):',
    '    """Raised for malformed configuration."""',
    '',
  ].join('\n'),
  'py/pkg/cli.py': ['from .parser import parse_config', '', '', 'def main():', '    return parse_config("x")', ''].join('\n'),
  'go.mod': 'module example.com/demo\n\ngo 1.22\n',
  'server/server.go': [
    'package server',
    '',
    '// Server accepts connections.',
    'type Server struct{}',
    '',
    '// Start begins serving.',
    'func (s *Server) Start() error { return nil }',
    '',
  ].join('\n'),
  'main.go': ['package main', '', 'import "example.com/demo/server"', '', 'func main() { _ = (&server.Server{}).Start() }', ''].join('\n'),
};
