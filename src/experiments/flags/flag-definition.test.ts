import { describe, expect, it } from 'vitest';
import { isValidationError, type ValidationError } from '../../core/errors.js';
import { parseFlagConfiguration, parseFlagDefinition } from './flag-definition.js';

function issuesOf(input: unknown): { path: string; message: string }[] {
  try {
    parseFlagConfiguration(input);
  } catch (e) {
    expect(isValidationError(e)).toBe(true);
    return [...(e as ValidationError).issues];
  }
  throw new Error('expected a ValidationError');
}

const flag = { state: 'ENABLED', variants: { on: true, off: false }, defaultVariant: 'off' };

describe('parseFlagConfiguration', () => {
  it('accepts flagd definitions with targeting, $evaluators, null/missing defaultVariant and metadata', () => {
    const config = parseFlagConfiguration(
      JSON.stringify({
        $schema: 'https://flagd.dev/schema/v0/flags.json',
        metadata: { team: 'ml', version: 2 },
        $evaluators: { isQa: { in: ['qa', { var: 'env' }] } },
        flags: {
          a: flag,
          b: { state: 'DISABLED', variants: { x: 'x' }, defaultVariant: null },
          c: { state: 'ENABLED', variants: { x: { nested: [1, 2] } }, targeting: { if: [{ $ref: 'isQa' }, 'x', null] }, metadata: { owner: 'me' } },
        },
      }),
    );
    expect(Object.keys(config.flags)).toEqual(['a', 'b', 'c']);
    expect(config.flags.b?.defaultVariant).toBeNull();
    expect(config.metadata).toEqual({ team: 'ml', version: 2 });
  });

  it('names the field: an invalid state', () => {
    expect(issuesOf({ flags: { a: { ...flag, state: 'ON' } } })).toEqual([{ path: 'flags.a.state', message: expect.stringContaining('ENABLED') }]);
  });

  it('names the field: a defaultVariant that is not a variant', () => {
    const issues = issuesOf({ flags: { a: { ...flag, defaultVariant: 'maybe' } } });
    expect(issues).toEqual([{ path: 'flags.a.defaultVariant', message: expect.stringContaining('"maybe" is not one of the variants') }]);
  });

  it('names the field: empty variants, non-primitive metadata, non-object targeting, unknown keys', () => {
    expect(issuesOf({ flags: { a: { ...flag, variants: {}, defaultVariant: null } } })[0]?.path).toBe('flags.a.variants');
    expect(issuesOf({ flags: { a: { ...flag, metadata: { x: { y: 1 } } } } })[0]?.path).toBe('flags.a.metadata.x');
    expect(issuesOf({ flags: { a: { ...flag, targeting: 'on' } } })[0]?.path).toBe('flags.a.targeting');
    expect(issuesOf({ flags: { a: { ...flag, defaultVarient: 'on' } } })[0]).toMatchObject({ path: 'flags.a', message: expect.stringContaining('defaultVarient') });
    expect(issuesOf({ flag: {} }).map((i) => i.path)).toEqual(expect.arrayContaining(['flags']));
  });

  it('reports text that is not JSON', () => {
    expect(() => parseFlagConfiguration('{"flags":')).toThrow(/not JSON/);
  });

  it('puts every issue in the message', () => {
    expect(() => parseFlagConfiguration({ flags: { a: { ...flag, state: 'X' }, b: { ...flag, defaultVariant: 'z' } } })).toThrow(
      /flags\.a\.state: .*; flags\.b\.defaultVariant: /,
    );
  });
});

describe('parseFlagDefinition', () => {
  it('validates one flag with paths relative to it', () => {
    expect(parseFlagDefinition(flag).defaultVariant).toBe('off');
    expect(() => parseFlagDefinition({ ...flag, state: 1 })).toThrow(/state:/);
  });
});
