import { describe, expect, it } from 'vitest';
import { importLines, outline, parseFixture, symbolNamed } from './parse-helpers.js';

describe('Ruby and PHP extraction', () => {
  it('extracts exactly the declarations of a Ruby module with classes and singleton methods', async () => {
    const result = await parseFixture('ruby/account.rb');
    expect(result.hasErrors).toBe(false);
    expect(outline(result.symbols)).toEqual([
      ['Banking', 'Banking', 'module', 7, 41],
      ['VERSION', 'Banking.VERSION', 'constant', 8, 8],
      ['Account', 'Banking.Account', 'class', 10, 40],
      ['balance', 'Banking.Account.balance', 'property', 12, 12],
      ['LIMIT', 'Banking.Account.LIMIT', 'constant', 14, 14],
      ['initialize', 'Banking.Account.initialize', 'constructor', 16, 19],
      ['deposit', 'Banking.Account.deposit', 'method', 22, 25],
      ['open', 'Banking.Account.open', 'method', 27, 29],
      ['registry', 'Banking.Account.registry', 'method', 32, 34],
      ['audit!', 'Banking.Account.audit!', 'method', 39, 39],
      ['top_level_helper', 'top_level_helper', 'function', 43, 45],
      ['Ledger', 'Banking.Ledger', 'class', 47, 48],
    ]);
  });

  it('extracts exactly the imports of a Ruby module with classes and singleton methods', async () => {
    const result = await parseFixture('ruby/account.rb');
    expect(importLines(result)).toEqual([
      '1 require json',
      '2 include lib/ledger',
      '3 include ../shared/money',
    ]);
  });

  it('gives signatures without bodies and docs without comment markers for a Ruby module with classes and singleton methods', async () => {
    const result = await parseFixture('ruby/account.rb');
    expect(symbolNamed(result, 'Banking.Account.deposit').signature).toBe('def deposit(amount)');
    expect(symbolNamed(result, 'Banking.Account.open').signature).toBe('def self.open(owner)');
    expect(symbolNamed(result, 'Banking.Account').signature).toBe('class Account < Base');
    expect(symbolNamed(result, 'Banking').doc).toBe('Tracks balances.\nThread-safe.');
    expect(symbolNamed(result, 'Banking.Account.deposit').doc).toBe('Deposits money.');
  });

  it('extracts exactly the declarations of a PHP controller in a statement namespace', async () => {
    const result = await parseFixture('php/UserController.php');
    expect(result.hasErrors).toBe(false);
    expect(outline(result.symbols)).toEqual([
      ['App\\Http\\Controllers', 'App.Http.Controllers', 'namespace', 5, 60],
      ['API_VERSION', 'App.Http.Controllers.API_VERSION', 'constant', 14, 14],
      ['UserController', 'App.Http.Controllers.UserController', 'class', 19, 39],
      ['PER_PAGE', 'App.Http.Controllers.UserController.PER_PAGE', 'constant', 23, 23],
      ['current', 'App.Http.Controllers.UserController.current', 'property', 24, 24],
      ['cache', 'App.Http.Controllers.UserController.cache', 'property', 25, 25],
      ['__construct', 'App.Http.Controllers.UserController.__construct', 'constructor', 27, 27],
      ['show', 'App.Http.Controllers.UserController.show', 'method', 30, 33],
      ['routes', 'App.Http.Controllers.UserController.routes', 'method', 35, 38],
      ['HasRoutes', 'App.Http.Controllers.HasRoutes', 'interface', 41, 44],
      ['routes', 'App.Http.Controllers.HasRoutes.routes', 'method', 43, 43],
      ['LogsActivity', 'App.Http.Controllers.LogsActivity', 'trait', 46, 49],
      ['log', 'App.Http.Controllers.LogsActivity.log', 'method', 48, 48],
      ['Suit', 'App.Http.Controllers.Suit', 'enum', 51, 55],
      ['Hearts', 'App.Http.Controllers.Suit.Hearts', 'enum_member', 53, 53],
      ['Spades', 'App.Http.Controllers.Suit.Spades', 'enum_member', 54, 54],
      ['helper', 'App.Http.Controllers.helper', 'function', 57, 60],
    ]);
  });

  it('extracts exactly the imports of a PHP controller in a statement namespace', async () => {
    const result = await parseFixture('php/UserController.php');
    expect(importLines(result)).toEqual([
      '7 use App\\Models\\User [User]',
      '8 use Illuminate\\Support\\Arr [Arr]',
      '8 use Illuminate\\Support\\Str [Str]',
      '9 use App\\helpers\\format_name [format_name]',
      '11 require __DIR__/../bootstrap.php',
      '12 include partials/header.php',
    ]);
  });

  it('gives signatures without bodies and docs without comment markers for a PHP controller in a statement namespace', async () => {
    const result = await parseFixture('php/UserController.php');
    expect(symbolNamed(result, 'App.Http.Controllers.UserController.show').signature).toBe('public function show(int $id): ?User');
    expect(symbolNamed(result, 'App.Http.Controllers.UserController').signature).toBe('final class UserController extends Controller implements HasRoutes');
    expect(symbolNamed(result, 'App.Http.Controllers.UserController').doc).toBe('Handles user pages.');
    expect(symbolNamed(result, 'App.Http.Controllers.UserController.show').doc).toBe('Shows one user.');
  });
});
