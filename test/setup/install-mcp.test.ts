import { execFile } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { describe, expect, it } from 'vitest';
import { configLocation, installServerEntry } from '../../src/setup/mcp-client-config.js';
import { useTempDir } from '../helpers/temp-dir.js';

const run = promisify(execFile);
const tempDir = useTempDir('pctx-install-');
const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

async function installMcp(...args: string[]): Promise<{ code: number; json: any; stderr: string }> {
  try {
    const { stdout, stderr } = await run(process.execPath, ['--import', 'tsx', path.join(repoRoot, 'src/cli/main.ts'), 'install-mcp', ...args, '--json'], {
      cwd: repoRoot,
      env: { ...process.env, NO_COLOR: '1' },
    });
    return { code: 0, json: JSON.parse(stdout), stderr };
  } catch (err) {
    const e = err as { code: number; stdout: string; stderr: string };
    return { code: e.code, json: e.stdout ? JSON.parse(e.stdout) : undefined, stderr: e.stderr };
  }
}

describe('install-mcp', () => {
  it('adds the server next to the existing ones, keeps other settings and backs up the old file', async () => {
    const dir = tempDir();
    const file = path.join(dir, '.claude.json');
    const before = { theme: 'dark', mcpServers: { other: { command: 'other-server', args: ['--x'] } }, projects: { '/a': { allowedTools: [] } } };
    fs.writeFileSync(file, JSON.stringify(before, null, 4));
    const dataDir = path.join(dir, 'data');

    const first = await installMcp('--client', 'claude-code', '--config-file', file, '--data-dir', dataDir);
    expect(first.code).toBe(0);
    expect(first.json).toMatchObject({ client: 'claude-code', action: 'updated', file, name: 'purecontext' });
    const after = JSON.parse(fs.readFileSync(file, 'utf8'));
    expect(after.theme).toBe('dark');
    expect(after.projects).toEqual(before.projects);
    expect(after.mcpServers.other).toEqual(before.mcpServers.other);
    expect(after.mcpServers.purecontext).toEqual({
      type: 'stdio',
      command: process.execPath,
      args: [path.join(repoRoot, 'dist/cli/main.js'), 'serve', '--data-dir', dataDir],
    });
    expect(JSON.parse(fs.readFileSync(first.json.backup, 'utf8'))).toEqual(before);

    const again = await installMcp('--client', 'claude-code', '--config-file', file, '--data-dir', dataDir);
    expect(again.json).toMatchObject({ action: 'unchanged', backup: null });
    expect(fs.readdirSync(dir).filter((f) => f.endsWith('.bak'))).toHaveLength(1);
  });

  it('refuses a configuration that is not valid JSON and leaves it untouched', async () => {
    const file = path.join(tempDir(), 'mcp.json');
    fs.writeFileSync(file, '{ "mcpServers": { oops ');
    const result = await installMcp('--client', 'cursor', '--config-file', file);
    expect(result.code).toBe(1);
    expect(result.json.error.code).toBe('PCTX_ERR_MCP_CONFIG_INVALID');
    expect(fs.readFileSync(file, 'utf8')).toBe('{ "mcpServers": { oops ');
    expect(fs.readdirSync(path.dirname(file))).toEqual(['mcp.json']);
  });

  it('writes a configuration from which an MCP client starts the server and lists the tools', async () => {
    const dir = tempDir();
    const file = path.join(dir, 'claude_desktop_config.json');
    const result = installServerEntry(file, 'purecontext', {
      type: 'stdio',
      command: process.execPath,
      args: [path.join(repoRoot, 'dist/cli/main.js'), 'serve', '--data-dir', path.join(dir, 'data')],
    });
    expect(result.action).toBe('created');
    const entry = JSON.parse(fs.readFileSync(file, 'utf8')).mcpServers.purecontext;
    // Started from another folder, as a client does: absolute paths make the cwd irrelevant.
    const transport = new StdioClientTransport({ command: entry.command, args: entry.args, cwd: dir, stderr: 'pipe', env: { ...process.env, PCTX_WORKERS: '1' } as Record<string, string> });
    const client = new Client({ name: 'install-test', version: '1.0.0' });
    await client.connect(transport);
    try {
      const { tools } = await client.listTools();
      expect(tools.map((t) => t.name)).toContain('search_symbols');
    } finally {
      await client.close();
    }
  });

  it("knows each client's documented configuration file", () => {
    const home = '/home/u';
    expect(configLocation({ client: 'claude-code', scope: 'user', projectDir: '/p', home })).toBe('/home/u/.claude.json');
    expect(configLocation({ client: 'claude-code', scope: 'project', projectDir: '/p', home })).toBe('/p/.mcp.json');
    expect(configLocation({ client: 'cursor', scope: 'user', projectDir: '/p', home })).toBe('/home/u/.cursor/mcp.json');
    expect(configLocation({ client: 'cursor', scope: 'project', projectDir: '/p', home })).toBe('/p/.cursor/mcp.json');
    expect(configLocation({ client: 'claude-desktop', scope: 'user', projectDir: '/p', home, platform: 'darwin' })).toBe(
      '/home/u/Library/Application Support/Claude/claude_desktop_config.json',
    );
    expect(configLocation({ client: 'claude-desktop', scope: 'user', projectDir: '/p', home, platform: 'linux', env: {} })).toBe('/home/u/.config/Claude/claude_desktop_config.json');
    expect(configLocation({ client: 'claude-desktop', scope: 'user', projectDir: '/p', home, platform: 'win32', env: { APPDATA: 'C:\\Users\\u\\AppData\\Roaming' } })).toContain(
      'claude_desktop_config.json',
    );
  });
});
