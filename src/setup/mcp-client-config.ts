import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { PctxError } from '../errors.js';
import { writeFileAtomic } from '../util/atomic-file.js';

export const MCP_CLIENTS = ['claude-code', 'claude-desktop', 'cursor'] as const;
export type McpClient = (typeof MCP_CLIENTS)[number];
export type ConfigScope = 'user' | 'project';

/** One `mcpServers` entry, in the stdio shape every supported client reads. */
export interface McpServerEntry {
  type?: 'stdio';
  command: string;
  args: string[];
  env?: Record<string, string>;
}

export interface ConfigLocationInput {
  client: McpClient;
  scope: ConfigScope;
  /** Project folder for `project` scope. */
  projectDir: string;
  /** @default os.homedir() */
  home?: string;
  /** @default process.platform */
  platform?: NodeJS.Platform;
  /** @default process.env */
  env?: NodeJS.ProcessEnv;
}

/**
 * Where each client reads its MCP servers, as their documentation gives it:
 * Claude Code — `~/.claude.json` (user scope) or `.mcp.json` in the project;
 * Claude Desktop — `claude_desktop_config.json` in the app's settings folder (user only);
 * Cursor — `~/.cursor/mcp.json` or `.cursor/mcp.json` in the project.
 */
export function configLocation(input: ConfigLocationInput): string {
  const home = input.home ?? os.homedir();
  const platform = input.platform ?? process.platform;
  const env = input.env ?? process.env;
  switch (input.client) {
    case 'claude-code':
      return input.scope === 'project' ? path.join(input.projectDir, '.mcp.json') : path.join(home, '.claude.json');
    case 'cursor':
      return input.scope === 'project' ? path.join(input.projectDir, '.cursor', 'mcp.json') : path.join(home, '.cursor', 'mcp.json');
    case 'claude-desktop': {
      if (input.scope === 'project') {
        throw new PctxError('INVALID_ARGUMENT', { option: 'scope', reason: 'Claude Desktop has no project configuration; use --scope user' });
      }
      if (platform === 'darwin') return path.join(home, 'Library', 'Application Support', 'Claude', 'claude_desktop_config.json');
      if (platform === 'win32') return path.join(env.APPDATA ?? path.join(home, 'AppData', 'Roaming'), 'Claude', 'claude_desktop_config.json');
      return path.join(env.XDG_CONFIG_HOME ?? path.join(home, '.config'), 'Claude', 'claude_desktop_config.json');
    }
  }
}

export interface InstallResult {
  file: string;
  /** `created`: new file; `updated`: entry added or changed; `unchanged`: already as wanted. */
  action: 'created' | 'updated' | 'unchanged';
  /** Copy of the previous file, when one was changed. */
  backup: string | null;
  name: string;
  entry: McpServerEntry;
}

function invalidFile(file: string, reason: string): PctxError {
  return new PctxError('MCP_CONFIG_INVALID', { file, reason });
}

function readConfig(file: string): Record<string, unknown> | null {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return null;
    if ((err as NodeJS.ErrnoException).code === 'EISDIR') throw invalidFile(file, 'it is a folder');
    throw invalidFile(file, (err as NodeJS.ErrnoException).code ?? String(err));
  }
  if (text.trim() === '') return {};
  let parsed: unknown;
  try {
    parsed = JSON.parse(text.replace(/^\uFEFF/, ''));
  } catch (err) {
    throw invalidFile(file, `not valid JSON: ${(err as Error).message}`);
  }
  if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) throw invalidFile(file, 'the top level is not a JSON object');
  return parsed as Record<string, unknown>;
}

function sameEntry(a: unknown, b: McpServerEntry): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}

/**
 * Adds or updates one server entry in a client's configuration, leaving every other key
 * and server as it was. The previous file is copied to `<file>.<timestamp>.bak` before it
 * changes, the new one is written through a temp file and renamed (never a torn file),
 * and nothing is written when the entry is already as wanted, so a re-run is harmless.
 * A file that is not a JSON object is refused untouched.
 */
export function installServerEntry(file: string, name: string, entry: McpServerEntry, now: () => Date = () => new Date()): InstallResult {
  const existing = readConfig(file);
  const config: Record<string, unknown> = existing ?? {};
  const servers = config.mcpServers ?? {};
  if (servers === null || typeof servers !== 'object' || Array.isArray(servers)) throw invalidFile(file, '"mcpServers" is not a JSON object');
  const current = (servers as Record<string, unknown>)[name];
  if (current !== undefined && sameEntry(current, entry)) return { file, action: 'unchanged', backup: null, name, entry };

  let backup: string | null = null;
  let mode = 0o600;
  if (existing !== null) {
    const stamp = now().toISOString().replace(/[:.]/g, '-');
    backup = `${file}.${stamp}.bak`;
    fs.copyFileSync(file, backup, fs.constants.COPYFILE_EXCL);
    mode = fs.statSync(file).mode & 0o777;
  } else {
    fs.mkdirSync(path.dirname(file), { recursive: true });
  }
  const next = { ...config, mcpServers: { ...(servers as Record<string, unknown>), [name]: entry } };
  writeFileAtomic(file, `${JSON.stringify(next, null, 2)}\n`);
  fs.chmodSync(file, mode);
  return { file, action: existing === null ? 'created' : 'updated', backup, name, entry };
}
