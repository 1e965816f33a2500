/**
 * Rollout flags and the evaluator at their edges: which definitions count as a rollout flag,
 * the validation issues a caller gets, what `setPercentage` writes, the exact shape of a
 * fallback route, and the messages of evaluation errors.
 */
import { describe, expect, it } from 'vitest';
import { isValidationError } from '../../core/errors.js';
import { createFlagEvaluator } from './flag-evaluator.js';
import type { FlagDefinition } from './flag-definition.js';
import { rolloutFlag, rolloutPercentage, routeUnit, setPercentage } from './rollout-flag.js';

const split = (fractional: unknown): FlagDefinition => ({
  state: 'ENABLED',
  variants: { ml: 'ml', deterministic: 'deterministic' },
  defaultVariant: 'deterministic',
  targeting: { fractional } as FlagDefinition['targeting'],
});

function issuesOf(f: () => unknown): unknown {
  try {
    f();
  } catch (e) {
    if (isValidationError(e)) return { message: e.message, issues: (e as { issues?: unknown }).issues };
    throw e;
  }
  throw new Error('did not throw');
}

describe('rolloutPercentage: only [["ml", p], ["deterministic", 100 − p]] is a rollout flag', () => {
  it.each([
    ['three entries', [['ml', 5], ['deterministic', 95], ['x', 0]]],
    ['the arms swapped', [['deterministic', 95], ['ml', 5]]],
    ['another first arm', [['x', 5], ['deterministic', 95]]],
    ['another second arm', [['ml', 5], ['x', 95]]],
    ['weights not summing to 100', [['ml', 5], ['deterministic', 90]]],
    ['entries that are not arrays', ['ml', 'deterministic']],
  ])('%s → undefined', (_, fractional) => {
    expect(rolloutPercentage(split(fractional))).toBeUndefined();
  });

  it('the shape itself → p, also at 0 and 100', () => {
    expect(rolloutPercentage(split([['ml', 0], ['deterministic', 100]]))).toBe(0);
    expect(rolloutPercentage(split([['ml', 100], ['deterministic', 0]]))).toBe(100);
  });
});

describe('validation issues', () => {
  it('rolloutFlag and setPercentage name the field and the rule', () => {
    expect(issuesOf(() => rolloutFlag('a', 101))).toEqual({
      message: 'percentage must be an integer from 0 to 100, got 101',
      issues: [{ path: 'percentage', message: 'must be an integer from 0 to 100' }],
    });
    expect(issuesOf(() => setPercentage(rolloutFlag('a', 5), -1))).toEqual({
      message: 'percentage must be an integer from 0 to 100, got -1',
      issues: [{ path: 'percentage', message: 'must be an integer from 0 to 100' }],
    });
    expect(issuesOf(() => setPercentage(split([['deterministic', 95], ['ml', 5]]), 5))).toEqual({
      message: 'not a rollout flag: targeting must be {"fractional": [["ml", p], ["deterministic", 100 - p]]}',
      issues: [{ path: 'targeting.fractional', message: 'expected [["ml", p], ["deterministic", 100 - p]]' }],
    });
  });

  it('0 and 100 are valid percentages', () => {
    expect(rolloutFlag('a', 0).targeting).toEqual({ fractional: [['ml', 0], ['deterministic', 100]] });
    expect(setPercentage(rolloutFlag('a', 0), 100).targeting).toEqual({ fractional: [['ml', 100], ['deterministic', 0]] });
  });
});

describe('setPercentage', () => {
  it('writes the new percentage into the metadata and keeps the rest of it', () => {
    const def = { ...rolloutFlag('a', 5), metadata: { agent: 'a', percentage: 5, owner: 'ops' } };
    expect(setPercentage(def, 30).metadata).toEqual({ agent: 'a', percentage: 30, owner: 'ops' });
  });
});

describe('routeUnit fallbacks have exactly these fields', () => {
  it('no errorCode key unless there is an error', () => {
    const ev = createFlagEvaluator({
      flags: { 'rollout-off': { ...rolloutFlag('off', 50), state: 'DISABLED' }, 'rollout-on': rolloutFlag('on', 50) },
    });
    expect(routeUnit(ev, 'off', 'u1')).toStrictEqual({ variant: 'deterministic', propensity: 1, reason: 'DISABLED' });
    expect(routeUnit(ev, 'on', '')).toStrictEqual({ variant: 'deterministic', propensity: 1, reason: 'DEFAULT' });
    expect(routeUnit(ev, 'nobody', 'u1')).toStrictEqual({
      variant: 'deterministic',
      propensity: 1,
      reason: 'ERROR',
      errorCode: 'FLAG_NOT_FOUND',
    });
  });
});

describe('evaluation details', () => {
  const flag = (targeting: FlagDefinition['targeting'], defaultVariant = 'off'): FlagDefinition => ({
    state: 'ENABLED',
    variants: { on: 'on', off: 'off' },
    defaultVariant,
    ...(targeting === undefined ? {} : { targeting }),
  });

  it('empty targeting is no targeting: the default variant, STATIC', () => {
    const ev = createFlagEvaluator({ flags: { a: flag({}) } });
    expect(ev.resolveString('a', 'd', { x: 1 })).toEqual({ value: 'off', variant: 'off', reason: 'STATIC', flagMetadata: {} });
  });

  it('the error messages name the flag, the variant and the types', () => {
    const ev = createFlagEvaluator({ flags: { c: flag({ var: 'x' }) } });
    expect(ev.resolveString('c', 'd', { x: 'nope' })).toMatchObject({
      value: 'd',
      errorCode: 'GENERAL',
      errorMessage: "variant 'nope' not found in flag 'c'",
    });
    expect(ev.resolveNumber('c', 3)).toMatchObject({
      value: 3,
      errorCode: 'TYPE_MISMATCH',
      errorMessage: "flag 'c' is string, not number",
    });
    expect(ev.resolveBoolean('zzz', true)).toMatchObject({
      value: true,
      errorCode: 'FLAG_NOT_FOUND',
      errorMessage: "flag 'zzz' not found",
    });
  });

  it('a change of the default variant alone is a change, and the new default is served', () => {
    const ev = createFlagEvaluator({ flags: { a: flag(undefined, 'off') } });
    expect(ev.setConfiguration({ flags: { a: flag(undefined, 'on') } })).toEqual({ added: [], removed: [], changed: ['a'] });
    expect(ev.resolveString('a', 'd').value).toBe('on');
  });
});
