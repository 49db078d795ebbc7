import { describe, expect, it } from 'vitest';
import { importLines, outline, parseFixture, symbolNamed } from './parse-helpers.js';

describe('Java and Kotlin extraction', () => {
  it('extracts exactly the declarations of a Java service with nested types', async () => {
    const result = await parseFixture('java/UserService.java');
    expect(result.hasErrors).toBe(false);
    expect(outline(result.symbols)).toEqual([
      ['UserService', 'UserService', 'class', 11, 37],
      ['PAGE_SIZE', 'UserService.PAGE_SIZE', 'constant', 14, 14],
      ['users', 'UserService.users', 'field', 15, 15],
      ['archived', 'UserService.archived', 'field', 15, 15],
      ['UserService', 'UserService.UserService', 'constructor', 17, 19],
      ['find', 'UserService.find', 'method', 22, 25],
      ['Cache', 'UserService.Cache', 'class', 27, 29],
      ['get', 'UserService.Cache.get', 'method', 28, 28],
      ['Status', 'UserService.Status', 'enum', 31, 36],
      ['ACTIVE', 'UserService.Status.ACTIVE', 'enum_member', 32, 32],
      ['DISABLED', 'UserService.Status.DISABLED', 'enum_member', 33, 33],
      ['isActive', 'UserService.Status.isActive', 'method', 35, 35],
      ['Repository', 'Repository', 'interface', 39, 41],
      ['find', 'Repository.find', 'method', 40, 40],
      ['Point', 'Point', 'class', 43, 47],
      ['Point', 'Point.Point', 'constructor', 44, 46],
      ['Audited', 'Audited', 'interface', 49, 51],
      ['value', 'Audited.value', 'method', 50, 50],
    ]);
  });

  it('extracts exactly the imports of a Java service with nested types', async () => {
    const result = await parseFixture('java/UserService.java');
    expect(importLines(result)).toEqual([
      '3 import java.util.List [List]',
      '4 import java.util.concurrent.* [*]',
      '5 import java.util.Objects.requireNonNull [requireNonNull]',
      '6 import com.example.users.model.User [User]',
    ]);
  });

  it('gives signatures without bodies and docs without comment markers for a Java service with nested types', async () => {
    const result = await parseFixture('java/UserService.java');
    expect(symbolNamed(result, 'UserService.find').signature).toBe('public User find(String id) throws NotFoundException');
    expect(symbolNamed(result, 'UserService').signature).toBe('public class UserService implements Repository<User>');
    expect(symbolNamed(result, 'Audited').signature).toBe('@interface Audited');
    expect(symbolNamed(result, 'UserService.PAGE_SIZE').signature).toBe('public static final int PAGE_SIZE = 50');
    expect(symbolNamed(result, 'UserService').doc).toBe('Manages users.');
    expect(symbolNamed(result, 'UserService.PAGE_SIZE').doc).toBe('Default page size.');
    expect(symbolNamed(result, 'UserService.find').doc).toBe('Finds a user.');
  });

  it('extracts exactly the declarations of a Kotlin repository file', async () => {
    const result = await parseFixture('kotlin/Repository.kt');
    expect(result.hasErrors).toBe(false);
    expect(outline(result.symbols)).toEqual([
      ['PAGE_SIZE', 'PAGE_SIZE', 'constant', 8, 8],
      ['registry', 'registry', 'variable', 9, 9],
      ['UserRepository', 'UserRepository', 'class', 14, 34],
      ['db', 'UserRepository.db', 'property', 14, 14],
      ['cache', 'UserRepository.cache', 'property', 15, 15],
      ['hits', 'UserRepository.hits', 'property', 16, 16],
      ['constructor', 'UserRepository.constructor', 'constructor', 19, 19],
      ['find', 'UserRepository.find', 'method', 22, 24],
      ['TABLE', 'UserRepository.TABLE', 'constant', 27, 27],
      ['create', 'UserRepository.create', 'method', 28, 28],
      ['Cursor', 'UserRepository.Cursor', 'class', 31, 33],
      ['next', 'UserRepository.Cursor.next', 'method', 32, 32],
      ['Repository', 'Repository', 'interface', 36, 38],
      ['find', 'Repository.find', 'method', 37, 37],
      ['User', 'User', 'class', 40, 40],
      ['id', 'User.id', 'property', 40, 40],
      ['name', 'User.name', 'property', 40, 40],
      ['Role', 'Role', 'enum', 42, 42],
      ['ADMIN', 'Role.ADMIN', 'enum_member', 42, 42],
      ['GUEST', 'Role.GUEST', 'enum_member', 42, 42],
      ['Registry', 'Registry', 'class', 44, 46],
      ['register', 'Registry.register', 'method', 45, 45],
      ['UserMap', 'UserMap', 'type', 48, 48],
      ['second', 'second', 'function', 50, 50],
    ]);
  });

  it('extracts exactly the imports of a Kotlin repository file', async () => {
    const result = await parseFixture('kotlin/Repository.kt');
    expect(importLines(result)).toEqual([
      '3 import kotlinx.coroutines.flow.Flow [Flow]',
      '4 import com.example.model.* [*]',
      '5 import java.time.Instant [Instant]',
    ]);
  });

  it('gives signatures without bodies and docs without comment markers for a Kotlin repository file', async () => {
    const result = await parseFixture('kotlin/Repository.kt');
    expect(symbolNamed(result, 'UserRepository.find').signature).toBe('override suspend fun find(id: String): User?');
    expect(symbolNamed(result, 'UserRepository').signature).toBe('class UserRepository(private val db: Database) : Repository<User>');
    expect(symbolNamed(result, 'second').signature).toBe('fun <T> List<T>.second(): T');
    expect(symbolNamed(result, 'UserRepository.create').signature).toBe('fun create(): UserRepository');
    expect(symbolNamed(result, 'PAGE_SIZE').doc).toBe('Default page size.');
    expect(symbolNamed(result, 'UserRepository').doc).toBe('Stores users.');
    expect(symbolNamed(result, 'UserRepository.db').doc).toBe(null);
    expect(symbolNamed(result, 'UserRepository.find').doc).toBe('Finds one user.');
  });
});
