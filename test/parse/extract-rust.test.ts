import { describe, expect, it } from 'vitest';
import { importLines, outline, parseFixture, symbolNamed } from './parse-helpers.js';

describe('Rust extraction', () => {
  it('extracts exactly the declarations of a Rust library crate root', async () => {
    const result = await parseFixture('rust/lib.rs');
    expect(result.hasErrors).toBe(false);
    expect(outline(result.symbols)).toEqual([
      ['MAX_ENTRIES', 'MAX_ENTRIES', 'constant', 14, 14],
      ['GREETING', 'GREETING', 'constant', 15, 15],
      ['Store', 'Store', 'struct', 19, 22],
      ['map', 'Store.map', 'field', 20, 20],
      ['name', 'Store.name', 'field', 21, 21],
      ['Event', 'Event', 'enum', 24, 28],
      ['Put', 'Event.Put', 'enum_member', 25, 25],
      ['Delete', 'Event.Delete', 'enum_member', 26, 26],
      ['Clear', 'Event.Clear', 'enum_member', 27, 27],
      ['Backend', 'Backend', 'trait', 30, 36],
      ['get', 'Backend.get', 'method', 32, 32],
      ['name', 'Backend.name', 'method', 33, 35],
      ['Result', 'Result', 'type', 38, 38],
      ['new', 'Store.new', 'method', 42, 44],
      ['len', 'Store.len', 'method', 46, 48],
      ['get', 'Store.get', 'method', 52, 54],
      ['store_log', 'store_log', 'macro', 57, 59],
      ['inner', 'inner', 'module', 61, 69],
      ['helper', 'inner.helper', 'function', 63, 63],
      ['Bits', 'inner.Bits', 'union', 65, 68],
      ['i', 'inner.Bits.i', 'field', 66, 66],
      ['f', 'inner.Bits.f', 'field', 67, 67],
      ['run', 'run', 'function', 71, 73],
    ]);
  });

  it('extracts exactly the imports of a Rust library crate root', async () => {
    const result = await parseFixture('rust/lib.rs');
    expect(importLines(result)).toEqual([
      '3 use std::collections::HashMap [HashMap]',
      '4 use std::io [self]',
      '4 use std::io::Read [Read]',
      '5 use crate::config::Settings [Settings]',
      '6 use super::parent_mod [parent_mod]',
      '7 use self::inner [*]',
      '8 use crate::errors::Error [Error]',
      '10 mod config',
      '11 mod errors',
    ]);
  });

  it('gives signatures without bodies and docs without comment markers for a Rust library crate root', async () => {
    const result = await parseFixture('rust/lib.rs');
    expect(symbolNamed(result, 'Store.new').signature).toBe('pub fn new(name: &str) -> Self');
    expect(symbolNamed(result, 'Store').signature).toBe('pub struct Store<K>');
    expect(symbolNamed(result, 'store_log').signature).toBe('macro_rules! store_log');
    expect(symbolNamed(result, 'Backend.get').signature).toBe('fn get(&self, key: &str) -> Option<Vec<u8>>');
    expect(symbolNamed(result, 'run').signature).toBe('pub async fn run() -> io::Result<()>');
    expect(symbolNamed(result, 'Store').doc).toBe('A key-value store.');
    expect(symbolNamed(result, 'Store.new').doc).toBe('Creates an empty store.');
    expect(symbolNamed(result, 'inner').doc).toBe('Inner helpers.');
    expect(symbolNamed(result, 'MAX_ENTRIES').doc).toBe('Maximum entries kept in memory.');
    expect(symbolNamed(result, 'Backend.get').doc).toBe('Reads a value.');
    expect(symbolNamed(result, 'GREETING').doc).toBe(null);
  });
});
