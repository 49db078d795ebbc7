import { describe, expect, it } from 'vitest';
import { importLines, outline, parseFixture, symbolNamed } from './parse-helpers.js';

describe('C# and Swift extraction', () => {
  it('extracts exactly the declarations of a C# file with a block namespace', async () => {
    const result = await parseFixture('csharp/OrderService.cs');
    expect(result.hasErrors).toBe(false);
    expect(outline(result.symbols)).toEqual([
      ['Shop.Orders', 'Shop.Orders', 'namespace', 6, 45],
      ['OrderService', 'Shop.Orders.OrderService', 'class', 9, 28],
      ['MaxItems', 'Shop.Orders.OrderService.MaxItems', 'constant', 11, 11],
      ['_orders', 'Shop.Orders.OrderService._orders', 'field', 12, 12],
      ['Changed', 'Shop.Orders.OrderService.Changed', 'field', 13, 13],
      ['OrderService', 'Shop.Orders.OrderService.OrderService', 'constructor', 15, 15],
      ['Count', 'Shop.Orders.OrderService.Count', 'property', 18, 18],
      ['FindAsync', 'Shop.Orders.OrderService.FindAsync', 'method', 20, 23],
      ['~OrderService', 'Shop.Orders.OrderService.~OrderService', 'method', 25, 25],
      ['IOrderService', 'Shop.Orders.IOrderService', 'interface', 30, 33],
      ['FindAsync', 'Shop.Orders.IOrderService.FindAsync', 'method', 32, 32],
      ['Order', 'Shop.Orders.Order', 'class', 35, 35],
      ['Money', 'Shop.Orders.Money', 'struct', 37, 40],
      ['Amount', 'Shop.Orders.Money.Amount', 'field', 39, 39],
      ['Status', 'Shop.Orders.Status', 'enum', 42, 42],
      ['Open', 'Shop.Orders.Status.Open', 'enum_member', 42, 42],
      ['Closed', 'Shop.Orders.Status.Closed', 'enum_member', 42, 42],
      ['OrderHandler', 'Shop.Orders.OrderHandler', 'type', 44, 44],
    ]);
  });

  it('extracts exactly the imports of a C# file with a block namespace', async () => {
    const result = await parseFixture('csharp/OrderService.cs');
    expect(importLines(result)).toEqual([
      '1 use System',
      '2 use System.Collections.Generic',
      '3 use System.Math',
      '4 use Newtonsoft.Json',
    ]);
  });

  it('gives signatures without bodies and docs without comment markers for a C# file with a block namespace', async () => {
    const result = await parseFixture('csharp/OrderService.cs');
    expect(symbolNamed(result, 'Shop.Orders.OrderService.FindAsync').signature).toBe('public async Task<Order?> FindAsync(Guid id)');
    expect(symbolNamed(result, 'Shop.Orders.OrderService.Count').signature).toBe('public int Count');
    expect(symbolNamed(result, 'Shop.Orders.Order').signature).toBe('public record Order(Guid Id, decimal Total)');
    expect(symbolNamed(result, 'Shop.Orders.OrderService').doc).toBe('Processes orders.');
    expect(symbolNamed(result, 'Shop.Orders.OrderService.Count').doc).toBe('Total count.');
  });

  it('extracts exactly the declarations of a C# file with a file-scoped namespace', async () => {
    const result = await parseFixture('csharp/Invoices.cs');
    expect(result.hasErrors).toBe(false);
    expect(outline(result.symbols)).toEqual([
      ['Shop.Billing', 'Shop.Billing', 'namespace', 1, 6],
      ['Invoices', 'Shop.Billing.Invoices', 'class', 3, 6],
      ['Format', 'Shop.Billing.Invoices.Format', 'method', 5, 5],
    ]);
  });

  it('extracts exactly the imports of a C# file with a file-scoped namespace', async () => {
    const result = await parseFixture('csharp/Invoices.cs');
    expect(importLines(result)).toEqual([]);
  });

  it('extracts exactly the declarations of a Swift file with a class, protocol, struct, enum and extension', async () => {
    const result = await parseFixture('swift/Cache.swift');
    expect(result.hasErrors).toBe(false);
    expect(outline(result.symbols)).toEqual([
      ['maxEntries', 'maxEntries', 'variable', 6, 6],
      ['hitCount', 'hitCount', 'variable', 7, 7],
      ['Cache', 'Cache', 'class', 10, 33],
      ['storage', 'Cache.storage', 'property', 11, 11],
      ['name', 'Cache.name', 'property', 12, 12],
      ['shared', 'Cache.shared', 'property', 13, 13],
      ['init', 'Cache.init', 'constructor', 15, 17],
      ['value', 'Cache.value', 'method', 22, 24],
      ['count', 'Cache.count', 'property', 26, 28],
      ['Evictable', 'Evictable', 'interface', 35, 38],
      ['evict', 'Evictable.evict', 'method', 36, 36],
      ['size', 'Evictable.size', 'property', 37, 37],
      ['Entry', 'Entry', 'struct', 40, 45],
      ['key', 'Entry.key', 'property', 41, 41],
      ['hits', 'Entry.hits', 'property', 42, 42],
      ['touch', 'Entry.touch', 'method', 44, 44],
      ['Policy', 'Policy', 'enum', 47, 50],
      ['lru', 'Policy.lru', 'enum_member', 48, 48],
      ['ttl', 'Policy.ttl', 'enum_member', 49, 49],
      ['evict', 'Cache.evict', 'method', 53, 53],
      ['size', 'Cache.size', 'property', 54, 54],
      ['StringCache', 'StringCache', 'type', 57, 57],
      ['makeCache', 'makeCache', 'function', 59, 61],
    ]);
  });

  it('extracts exactly the imports of a Swift file with a class, protocol, struct, enum and extension', async () => {
    const result = await parseFixture('swift/Cache.swift');
    expect(importLines(result)).toEqual([
      '1 import Foundation',
      '2 import Darwin.size_t',
      '3 import CoreKit',
    ]);
  });

  it('gives signatures without bodies and docs without comment markers for a Swift file with a class, protocol, struct, enum and extension', async () => {
    const result = await parseFixture('swift/Cache.swift');
    expect(symbolNamed(result, 'Cache.value').signature).toBe('public func value(for key: Key) -> Value?');
    expect(symbolNamed(result, 'Cache').signature).toBe('public final class Cache<Key: Hashable, Value>');
    expect(symbolNamed(result, 'Cache.init').signature).toBe('public init(name: String)');
    expect(symbolNamed(result, 'Cache.count').signature).toBe('public var count: Int');
    expect(symbolNamed(result, 'Cache').doc).toBe('A thread-safe cache.');
    expect(symbolNamed(result, 'Cache.value').doc).toBe('Returns the cached value.');
    expect(symbolNamed(result, 'maxEntries').doc).toBe('Maximum cache entries.');
  });
});
