import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { redactConnectionString, scrubSecrets } from './secrets.js';

describe('redactConnectionString', () => {
  it.each([
    ['postgres://app:s3cret@db:5432/prod', 'postgres://app:***@db:5432/prod'],
    ['redis://:hunter2@127.0.0.1:6379/0', 'redis://:***@127.0.0.1:6379/0'],
    [
      'postgresql://app@db/prod?sslmode=require&password=x1',
      'postgresql://app@db/prod?sslmode=require&password=***',
    ],
    ['postgres://db/prod', 'postgres://db/prod'],
    ['host=db user=app password=s3cret dbname=prod', 'host=db user=app password=*** dbname=prod'],
    ["host=db password='with space' dbname=prod", 'host=db password=*** dbname=prod'],
    ['mongodb://u:p%40ss@h1,h2/db', 'mongodb://u:***@h1,h2/db'],
  ])('%s', (input, expected) => {
    expect(redactConnectionString(input)).toBe(expected);
  });

  it('never leaks the password of a URL (property)', () => {
    fc.assert(
      fc.property(fc.stringMatching(/^[A-Za-z0-9!$^*()_~-]{6,20}$/), (pw) => {
        expect(redactConnectionString(`postgres://app:${pw}@db:5432/x`)).not.toContain(pw);
      }),
    );
  });
});

describe('scrubSecrets', () => {
  it('masks known secrets, their URL-encoded and base64 forms, longest first', () => {
    const out = scrubSecrets('a=s3cr3t/x b=s3cr3t%2Fx c=czNjcjN0L3g d=s3cr3t/x-long', [
      's3cr3t/x',
      's3cr3t/x-long',
      'ab',
    ]);
    expect(out).toBe('a=*** b=*** c=*** d=***');
  });

  it('ignores too-short secrets', () => {
    expect(scrubSecrets('a b c', ['a', ''])).toBe('a b c');
  });
});
