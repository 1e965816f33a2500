import { createHmac, randomBytes } from 'node:crypto';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { isApprenticeError } from '../../core/errors.js';
import { createEnvelopeEncryptor, isEncryptedRecord } from './envelope.js';
import { createKeyring } from './keyring.js';
import { createRedactor, ENCRYPTED_TEXT_PREFIX } from './redact.js';

const hmacKey = Buffer.alloc(32, 7);
const keyring = createKeyring({
  keys: [{ id: 'k1', key: randomBytes(32), createdAt: '2026-01-01T00:00:00Z' }],
});
const encryptor = createEnvelopeEncryptor(keyring);

describe('createRedactor', () => {
  it('redacts findings in nested strings with typed placeholders and reports paths', () => {
    const r = createRedactor();
    const { value, findings } = r.redact({
      task: 'fix login for ada@example.com',
      logs: ['client 203.0.113.9 got 502', 'ok'],
      n: 3,
      flag: true,
      nothing: null,
    });
    expect(value).toEqual({
      task: 'fix login for [REDACTED:email]',
      logs: ['client [REDACTED:ipv4] got 502', 'ok'],
      n: 3,
      flag: true,
      nothing: null,
    });
    expect(findings).toEqual([
      { type: 'email', path: '$.task', action: 'redact' },
      { type: 'ipv4', path: '$.logs[0]', action: 'redact' },
    ]);
  });

  it('does not modify its input', () => {
    const input = { a: 'mail ada@example.com' };
    createRedactor().redact(input);
    expect(input).toEqual({ a: 'mail ada@example.com' });
  });

  it('hashes with keyed HMAC-SHA256: stable, prefixed hmac:, keyed', () => {
    const r = createRedactor({ hmacKey, policy: { actions: { email: 'hash' } } });
    const a = r.redactText('to ada@example.com').value;
    const b = r.redactText('cc ada@example.com').value;
    const expected = `hmac:${createHmac('sha256', hmacKey).update('ada@example.com').digest('hex')}`;
    expect(a).toBe(`to ${expected}`);
    expect(b).toBe(`cc ${expected}`);
    const other = createRedactor({ hmacKey: Buffer.alloc(32, 8), policy: { actions: { email: 'hash' } } });
    expect(other.redactText('to ada@example.com').value).not.toBe(a);
  });

  it('marks fields personal by JSON path and by key name, with per-field actions', () => {
    const r = createRedactor({ hmacKey, encryptor });
    const { value, findings } = r.redact(
      {
        user: { name: 'Ada Lovelace', address: { city: 'London' } },
        customers: [{ name: 'Alan' }, { name: 'Grace' }],
        Phone_Label: 'x',
      },
      {
        personal: [
          { path: '$.user.name', action: 'hash' },
          { path: 'customers[*].name' },
          { key: 'address', action: 'encrypt' },
        ],
      },
    );
    const v = value as { user: { name: string; address: unknown }; customers: { name: string }[] };
    expect(v.user.name).toBe(`hmac:${createHmac('sha256', hmacKey).update('Ada Lovelace').digest('hex')}`);
    expect(v.customers).toEqual([{ name: '[REDACTED:personal]' }, { name: '[REDACTED:personal]' }]);
    expect(isEncryptedRecord(v.user.address)).toBe(true);
    expect(encryptor.decrypt(v.user.address as never)).toEqual({ city: 'London' });
    expect(findings.map((f) => `${f.type}@${f.path}:${f.action}`)).toEqual([
      'personal@$.user.name:hash',
      'personal@$.user.address:encrypt',
      'personal@$.customers[0].name:redact',
      'personal@$.customers[1].name:redact',
    ]);
  });

  it('encrypts matches inside text into enc: tokens that decrypt back', () => {
    const r = createRedactor({ encryptor, policy: { defaultAction: 'encrypt' } });
    const out = r.redactText('call +44 20 7946 0958 now').value as string;
    const m = /enc:([A-Za-z0-9_-]+)/.exec(out);
    expect(out.startsWith('call enc:')).toBe(true);
    expect(ENCRYPTED_TEXT_PREFIX).toBe('enc:');
    const record: unknown = JSON.parse(Buffer.from(m![1]!, 'base64url').toString('utf8'));
    expect(encryptor.decrypt(record as never)).toBe('+44 20 7946 0958');
  });

  it('treats values of secret-looking keys as secrets whatever they contain', () => {
    const { value } = createRedactor().redact({
      password: 'a',
      apiKey: 'b',
      Authorization: 'c',
      max_tokens: 512,
      DB_PASSWORD: 42,
      tokens: 3,
    });
    expect(value).toEqual({
      password: '[REDACTED:secret_field]',
      apiKey: '[REDACTED:secret_field]',
      Authorization: '[REDACTED:secret_field]',
      max_tokens: 512,
      DB_PASSWORD: '[REDACTED:secret_field]',
      tokens: 3,
    });
  });

  it('drops __proto__/constructor/prototype keys and never pollutes prototypes', () => {
    const input: unknown = JSON.parse(
      '{"__proto__":{"polluted":true},"constructor":{"prototype":{"polluted":true}},"a":{"__proto__":{"x":1}},"ok":1}',
    );
    const { value } = createRedactor().redact(input);
    expect(value).toEqual({ a: {}, ok: 1 });
    expect(Object.getPrototypeOf(value)).toBe(Object.prototype);
    expect(({} as Record<string, unknown>)['polluted']).toBeUndefined();
    expect(Object.hasOwn(value as object, '__proto__')).toBe(false);
  });

  it('redacts personal data in keys too', () => {
    const { value } = createRedactor().redact({ 'ada@example.com': 1, 'alan@example.com': 2 });
    expect(value).toEqual({ '[REDACTED:email]': 1, '[REDACTED:email]#2': 2 });
  });

  it('bounds depth, string size and cycles, failing closed', () => {
    const r = createRedactor({ maxDepth: 3, maxStringLength: 10 });
    const cyclic: Record<string, unknown> = { a: 1 };
    cyclic['self'] = cyclic;
    expect(r.redact({ a: { b: { c: { d: 1 } } } }).value).toEqual({
      a: { b: { c: '[REDACTED:depth_limit]' } },
    });
    expect(r.redact('x'.repeat(11)).value).toBe('[REDACTED:size_limit]');
    expect(r.redact(cyclic).value).toEqual({ a: 1, self: '[REDACTED:cycle]' });
  });

  it('survives throwing getters and converts Dates and bigints', () => {
    const evil = {
      get boom(): string {
        throw new Error('no');
      },
    };
    const r = createRedactor();
    expect(r.redact({ evil }).value).toEqual({ evil: '[REDACTED:unreadable]' });
    expect(r.redact({ at: new Date('2026-01-01T00:00:00Z'), big: 12n }).value).toEqual({
      at: '2026-01-01T00:00:00.000Z',
      big: '12',
    });
  });

  it('rejects a policy whose actions it cannot perform (ConfigError)', () => {
    expect(() => createRedactor({ policy: { defaultAction: 'hash' } })).toThrowError(/hmacKey/);
    try {
      createRedactor().redact({}, { personal: [{ key: 'x', action: 'encrypt' }] });
      expect.unreachable();
    } catch (e) {
      expect(isApprenticeError(e) && e.code).toBe('CONFIG_INVALID');
    }
    expect(() => createRedactor().redact({}, { personal: [{ path: 'a[' }] })).toThrowError(
      /personal field rules/,
    );
  });
});

// Generators of secrets of every kind, embedded between separators in random text.
const b62 = fc.constantFrom(...'0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz'.split(''));
const str = (arb: fc.Arbitrary<string>, n: number): fc.Arbitrary<string> =>
  fc.array(arb, { minLength: n, maxLength: n }).map((a) => a.join(''));
const upperDigit = fc.constantFrom(...'0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ'.split(''));
const secretArb = fc.oneof(
  fc
    .tuple(fc.stringMatching(/^[a-z]{1,10}$/), fc.constantFrom('example.com', 'mail.example.org'))
    .map(([l, d]) => `${l}@${d}`),
  str(upperDigit, 16).map((s) => `AKIA${s}`),
  str(b62, 36).map((s) => `ghp_${s}`),
  str(b62, 24).map((s) => `sk_live_${s}`),
  fc
    .tuple(
      fc.integer({ min: 1, max: 223 }),
      fc.integer({ min: 0, max: 255 }),
      fc.integer({ min: 0, max: 255 }),
      fc.integer({ min: 1, max: 254 }),
    )
    .filter(([a]) => a !== 127)
    .map((p) => p.join('.')),
  str(b62, 32).filter((s) => /\d/.test(s) && /[a-z]/.test(s) && /[A-Z]/.test(s)),
);
const filler = fc.string({ maxLength: 40, unit: 'grapheme-ascii' });

describe('redactor fuzz (fast-check)', () => {
  const r = createRedactor({ hmacKey, maxDepth: 32 });

  it('never throws on arbitrary values, including lone surrogates', () => {
    fc.assert(
      fc.property(
        fc.anything({
          withBigInt: true,
          withDate: true,
          withMap: true,
          withSet: true,
          withTypedArray: true,
          withSparseArray: true,
          withNullPrototype: true,
          stringUnit: 'binary',
        }),
        (v) => {
          const res = r.redact(v);
          expect(Array.isArray(res.findings)).toBe(true);
        },
      ),
      { numRuns: 300 },
    );
  });

  it('never returns an embedded secret in clear, whatever surrounds it and however deep', () => {
    fc.assert(
      fc.property(
        filler,
        secretArb,
        filler,
        fc.integer({ min: 0, max: 20 }),
        fc.boolean(),
        (pre, secret, post, depth, asKey) => {
          let v: unknown = asKey ? { [`${pre} ${secret} ${post}`]: 1 } : `${pre} ${secret} ${post}`;
          for (let i = 0; i < depth; i++) v = i % 2 === 0 ? [v] : { k: v };
          const out = JSON.stringify(r.redact(v).value);
          expect(out.includes(secret)).toBe(false);
        },
      ),
      { numRuns: 500 },
    );
  });

  it('handles deep nesting beyond the limit without stack overflow', () => {
    let v: unknown = 'ada@example.com';
    for (let i = 0; i < 100_000; i++) v = [v];
    const out = JSON.stringify(r.redact(v).value);
    expect(out).toContain('[REDACTED:depth_limit]');
    expect(out).not.toContain('ada@example.com');
  });

  it('handles huge strings with many findings and unpaired surrogates', () => {
    const chunk = 'lorem \uD800 ipsum ada@example.com dolor \uDC00 4111 1111 1111 1111; ';
    const big = chunk.repeat(12_000); // ~800 KB, under the 1 MiB default limit
    const res = r.redactText(big);
    expect(String(res.value)).not.toContain('ada@example.com');
    expect(String(res.value)).not.toContain('4111 1111 1111 1111');
    expect(res.findings.length).toBe(24_000);
    // adversarial input for backtracking: long runs of pattern-ish characters without a match
    for (const s of [
      'a'.repeat(200_000),
      '1 '.repeat(100_000),
      'a.'.repeat(100_000),
      ':'.repeat(200_000),
      'eyJ'.repeat(60_000),
    ]) {
      expect(typeof r.redactText(s).value).toBe('string');
    }
  });
});
