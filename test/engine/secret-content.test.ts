import { describe, expect, it } from 'vitest';
import { secretInContent } from '../../src/engine/secret-files.js';

// Built at run time so that this file does not itself look like it holds secrets.
const ghToken = ['ghp', 'a1B2c3D4e5F6g7H8i9J0k1L2m3N4o5P6q7R8'].join('_');
const slack = ['xoxb', '123456789012-abcdefABCDEF'].join('-');
const google = `AIza${'SyA1b2C3d4E5f6G7h8I9j0K1l2M3n4O5p6Q'}`;
const base64Line = 'MIIEowIBAAKCAQEAx7y8bX9zW3lGJmF3hQ2yU1vQ0aBcDeFgHiJkLmNoPqRsTuVw';

describe('secretInContent (issue 8 #7)', () => {
  it.each([
    ['an OpenSSH private key', `-----BEGIN OPENSSH PRIVATE KEY-----\n${base64Line}\n-----END OPENSSH PRIVATE KEY-----\n`, 'private key block'],
    ['an encrypted PEM key with headers', `-----BEGIN RSA PRIVATE KEY-----\nProc-Type: 4,ENCRYPTED\nDEK-Info: AES-128-CBC,0A1B\n\n${base64Line}\n`, 'private key block'],
    ['a service-account JSON key', `{"private_key": "-----BEGIN PRIVATE KEY-----\\n${base64Line}\\n"}`, 'private key block'],
    ['an AWS access key id', 'aws = "AKIAZ7QWERTYUIOPASDF"', 'AWS access key'],
    ['an AWS secret in an ini file', `aws_secret_access_key = ${'wJalrXUtnFEMI/K7MDENG/bPxRfiCYzEXAMPLEKE'}`, 'AWS secret access key'],
    ['a GitHub token', `token: ${ghToken}`, 'GitHub token'],
    ['a Slack token', `SLACK = '${slack}'`, 'Slack token'],
    ['a Google API key', `key = "${google}"`, 'Google API key'],
    ['an env file under any name', '# local\nexport DB_PASSWORD=hunter2\nREGION=eu\n', 'KEY=value environment file'],
  ])('finds %s', (_what, text, kind) => {
    expect(secretInContent(text)).toBe(kind);
  });

  it.each([
    ['a PEM parser naming the header', 'if line == "-----BEGIN RSA PRIVATE KEY-----":\n    return parse(lines)\n'],
    ["AWS's documented example key", 'key = "AKIAIOSFODNN7EXAMPLE"'],
    ['a long kebab-case name after sk-', 'const cls = "sk-very-long-kebab-case-name-for-a-css-class-x";'],
    ['an env file without secret keys', 'DEBUG=1\nLOG_LEVEL=info\n'],
    ['a secret key read from the environment', 'SECRET_KEY = os.environ["SECRET_KEY"]\n'],
    ['an empty password in an env file', 'DB_PASSWORD=\nDB_HOST=localhost\n'],
    ['code that assigns without spaces', 'x=1\nAPI_KEY=get_key()\nprint(x)\n'],
  ])('leaves %s alone', (_what, text) => {
    expect(secretInContent(text)).toBeNull();
  });
});
