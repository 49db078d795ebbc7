/**
 * Each test gets its own temp folder with its own control.db, and a clock it moves by hand.
 */

import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach } from 'vitest';
import { openControlDb, type ControlDbOptions, type ControlPlane } from '../../src/control/index.js';

export interface TestClock {
  now: () => Date;
  set(iso: string): void;
  advance(ms: number): void;
}

export function testClock(startIso = '2025-01-01T00:00:00.000Z'): TestClock {
  let current = new Date(startIso).getTime();
  return {
    now: () => new Date(current),
    set: (iso) => {
      current = new Date(iso).getTime();
    },
    advance: (ms) => {
      current += ms;
    },
  };
}

export interface ControlFixture {
  dir: string;
  /** `<dir>/data/control.db`; the data folder does not exist until opened. */
  file: string;
  clock: TestClock;
  /** Opens the fixture's file (with the fixture clock); closed again after the test. */
  open(options?: ControlDbOptions): ControlPlane;
}

export function useControlFixture(): () => ControlFixture {
  let fixture: ControlFixture | undefined;
  let opened: ControlPlane[] = [];
  beforeEach(() => {
    const dir = mkdtempSync(join(tmpdir(), 'pctx-control-'));
    const clock = testClock();
    const file = join(dir, 'data', 'control.db');
    fixture = {
      dir,
      file,
      clock,
      open(options) {
        const plane = openControlDb(file, { now: clock.now, ...options });
        opened.push(plane);
        return plane;
      },
    };
  });
  afterEach(() => {
    for (const plane of opened) plane.close();
    opened = [];
    if (fixture !== undefined) rmSync(fixture.dir, { recursive: true, force: true });
    fixture = undefined;
  });
  return () => {
    if (fixture === undefined) throw new Error('the control fixture is only available inside a test');
    return fixture;
  };
}

/** What `fn` threw; fails the test if it returned normally. */
export function thrown(fn: () => unknown): unknown {
  try {
    fn();
  } catch (err) {
    return err;
  }
  throw new Error('expected the call to throw');
}

export const HASH_A = 'a'.repeat(64);
export const HASH_B = 'b'.repeat(64);
export const HASH_C = 'c'.repeat(64);
