import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';
import { useControlFixture } from './fixture.js';

const fixture = useControlFixture();
const repoRoot = resolve(import.meta.dirname, '..', '..');

describe('RequestLog flush timer', () => {
  it('does not keep the process alive while entries wait for a flush', () => {
    const { dir, file } = fixture();
    const script = join(dir, 'append-and-exit.mts');
    const controlIndex = pathToFileURL(join(repoRoot, 'src', 'control', 'index.ts')).href;
    writeFileSync(
      script,
      `import { openControlDb } from ${JSON.stringify(controlIndex)};
       const plane = openControlDb(${JSON.stringify(file)}, { requestLog: { flushIntervalMs: 600000 } });
       plane.requestLog.append({ tenantId: null, tool: 'search_symbols', durationMs: 1, status: 'success' });
       console.log('appended');
      `,
    );
    const started = Date.now();
    const child = spawnSync(process.execPath, ['--import', 'tsx', script], { cwd: repoRoot, encoding: 'utf8', timeout: 20_000 });
    expect(child.error).toBeUndefined();
    expect(child.stderr).toBe('');
    expect(child.stdout.trim()).toBe('appended');
    expect(child.status).toBe(0);
    // Far below the 10-minute flush interval: the pending timer did not hold the process.
    expect(Date.now() - started).toBeLessThan(20_000);
  });
});
