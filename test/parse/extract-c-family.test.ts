import { describe, expect, it } from 'vitest';
import { importLines, outline, parseFixture, symbolNamed } from './parse-helpers.js';

describe('C and C++ extraction', () => {
  it('extracts exactly the declarations of a C header with an include guard', async () => {
    const result = await parseFixture('c/list.h');
    expect(result.hasErrors).toBe(false);
    expect(outline(result.symbols)).toEqual([
      ['LIST_MAX', 'LIST_MAX', 'macro', 7, 7],
      ['LIST_EMPTY', 'LIST_EMPTY', 'macro', 8, 8],
      ['node', 'node', 'struct', 11, 14],
      ['value', 'node.value', 'field', 12, 12],
      ['next', 'node.next', 'field', 13, 13],
      ['list', 'list', 'struct', 16, 19],
      ['head', 'list.head', 'field', 17, 17],
      ['len', 'list.len', 'field', 18, 18],
      ['list_t', 'list_t', 'type', 16, 19],
      ['list_size', 'list_size', 'type', 21, 21],
      ['number', 'number', 'union', 23, 26],
      ['i', 'number.i', 'field', 24, 24],
      ['d', 'number.d', 'field', 25, 25],
      ['color', 'color', 'enum', 28, 28],
      ['RED', 'color.RED', 'enum_member', 28, 28],
      ['GREEN', 'color.GREEN', 'enum_member', 28, 28],
      ['BLUE', 'color.BLUE', 'enum_member', 28, 28],
      ['list_count', 'list_count', 'variable', 30, 30],
      ['list_push', 'list_push', 'function', 33, 33],
      ['list_len', 'list_len', 'function', 35, 37],
    ]);
  });

  it('extracts exactly the imports of a C header with an include guard', async () => {
    const result = await parseFixture('c/list.h');
    expect(importLines(result)).toEqual([
      '4 include stddef.h',
      '5 include types.h',
    ]);
  });

  it('gives signatures without bodies and docs without comment markers for a C header with an include guard', async () => {
    const result = await parseFixture('c/list.h');
    expect(symbolNamed(result, 'list_push').signature).toBe('int list_push(list_t *l, int value)');
    expect(symbolNamed(result, 'LIST_EMPTY').signature).toBe('#define LIST_EMPTY(l) ((l)->head == NULL)');
    expect(symbolNamed(result, 'list_t').signature).toBe('typedef struct list list_t');
    expect(symbolNamed(result, 'list_len').signature).toBe('static inline size_t list_len(const list_t *l)');
    expect(symbolNamed(result, 'node').doc).toBe('A singly linked node.');
    expect(symbolNamed(result, 'list_push').doc).toBe('Appends a value; returns 0 on success.');
  });

  it('extracts exactly the declarations of a C source file whose prototype is defined later', async () => {
    const result = await parseFixture('c/list.c');
    expect(result.hasErrors).toBe(false);
    expect(outline(result.symbols)).toEqual([
      ['list_count', 'list_count', 'variable', 4, 4],
      ['NAME', 'NAME', 'constant', 5, 5],
      ['list_push', 'list_push', 'function', 10, 16],
      ['helper', 'helper', 'function', 18, 18],
      ['split_words', 'split_words', 'function', 20, 22],
    ]);
  });

  it('extracts exactly the imports of a C source file whose prototype is defined later', async () => {
    const result = await parseFixture('c/list.c');
    expect(importLines(result)).toEqual([
      '1 include list.h',
      '2 include stdlib.h',
    ]);
  });

  it('gives signatures without bodies and docs without comment markers for a C source file whose prototype is defined later', async () => {
    const result = await parseFixture('c/list.c');
    expect(symbolNamed(result, 'split_words').signature).toBe('char **split_words(const char *s, int *out_len)');
    expect(symbolNamed(result, 'list_push').doc).toBe('Appends a value.');
  });

  it('extracts exactly the declarations of a C++ header with namespaces, classes and templates', async () => {
    const result = await parseFixture('cpp/shape.hpp');
    expect(result.hasErrors).toBe(false);
    expect(outline(result.symbols)).toEqual([
      ['geo', 'geo', 'namespace', 6, 43],
      ['detail', 'geo.detail', 'namespace', 7, 9],
      ['kEpsilon', 'geo.detail.kEpsilon', 'constant', 8, 8],
      ['Shape', 'geo.Shape', 'class', 12, 23],
      ['Shape', 'geo.Shape.Shape', 'constructor', 14, 14],
      ['Shape', 'geo.Shape.Shape', 'constructor', 15, 15],
      ['~Shape', 'geo.Shape.~Shape', 'method', 16, 16],
      ['area', 'geo.Shape.area', 'method', 17, 17],
      ['name', 'geo.Shape.name', 'method', 18, 18],
      ['name_', 'geo.Shape.name_', 'field', 21, 21],
      ['count_', 'geo.Shape.count_', 'field', 22, 22],
      ['Point', 'geo.Point', 'struct', 25, 27],
      ['x', 'geo.Point.x', 'field', 26, 26],
      ['y', 'geo.Point.y', 'field', 26, 26],
      ['Grid', 'geo.Grid', 'class', 29, 35],
      ['at', 'geo.Grid.at', 'method', 32, 32],
      ['cells_', 'geo.Grid.cells_', 'field', 34, 34],
      ['Kind', 'geo.Kind', 'enum', 37, 37],
      ['Circle', 'geo.Kind.Circle', 'enum_member', 37, 37],
      ['Square', 'geo.Kind.Square', 'enum_member', 37, 37],
      ['Id', 'geo.Id', 'type', 39, 39],
      ['Polygon', 'geo.Polygon', 'type', 40, 40],
      ['distance', 'geo.distance', 'function', 42, 42],
    ]);
  });

  it('extracts exactly the imports of a C++ header with namespaces, classes and templates', async () => {
    const result = await parseFixture('cpp/shape.hpp');
    expect(importLines(result)).toEqual([
      '2 include string',
      '3 include vector',
      '4 include math/vec.hpp',
    ]);
  });

  it('gives signatures without bodies and docs without comment markers for a C++ header with namespaces, classes and templates', async () => {
    const result = await parseFixture('cpp/shape.hpp');
    expect(symbolNamed(result, 'geo.Shape.area').signature).toBe('virtual double area() const = 0');
    expect(symbolNamed(result, 'geo.Grid').signature).toBe('class Grid : public Shape');
    expect(symbolNamed(result, 'geo.Id').signature).toBe('using Id = unsigned long');
    expect(symbolNamed(result, 'geo.Shape').doc).toBe('Base class for shapes.');
  });

  it('extracts exactly the declarations of a C++ source file with out-of-class definitions', async () => {
    const result = await parseFixture('cpp/shape.cpp');
    expect(result.hasErrors).toBe(false);
    expect(outline(result.symbols)).toEqual([
      ['geo', 'geo', 'namespace', 4, 17],
      ['Shape', 'geo.Shape.Shape', 'constructor', 8, 8],
      ['~Shape', 'geo.Shape.~Shape', 'method', 10, 10],
      ['distance', 'geo.distance', 'function', 13, 15],
      ['scale', 'geo.detail.scale', 'function', 19, 19],
      ['c_entry', 'c_entry', 'function', 22, 22],
      ['clamp', 'clamp', 'function', 25, 26],
      ['operator==', 'operator==', 'function', 28, 28],
    ]);
  });

  it('extracts exactly the imports of a C++ source file with out-of-class definitions', async () => {
    const result = await parseFixture('cpp/shape.cpp');
    expect(importLines(result)).toEqual([
      '1 include shape.hpp',
      '2 include cmath',
    ]);
  });

  it('gives signatures without bodies and docs without comment markers for a C++ source file with out-of-class definitions', async () => {
    const result = await parseFixture('cpp/shape.cpp');
    expect(symbolNamed(result, 'geo.Shape.Shape').signature).toBe('Shape::Shape(std::string name)');
    expect(symbolNamed(result, 'geo.detail.scale').signature).toBe('double geo::detail::scale(double v)');
    expect(symbolNamed(result, 'geo.distance').doc).toBe('Euclidean distance.');
  });
});
