import { describe, expect, it } from 'vitest';
import { findUnstorable } from './input-guard.js';

describe('findUnstorable: what the event store cannot hold is found with its path', () => {
  it('finds NUL, lone surrogates (values and keys) and numbers out of the double range', () => {
    expect(findUnstorable(JSON.parse('{"context":{"a":"x\\u0000"}}'))?.path).toBe('context.a');
    expect(findUnstorable(JSON.parse('{"context":{"l":[0,"\\ud83d"]}}'))?.path).toBe('context.l.1');
    expect(findUnstorable(JSON.parse('{"context":{"l":["\\ude00x"]}}'))?.path).toBe('context.l.0');
    expect(findUnstorable(JSON.parse('{"context":{"n":-1e999}}'))?.message).toMatch(/number within/);
    expect(findUnstorable(JSON.parse('{"c":{"bad\\u0000key":1}}'))?.message).toMatch(/^key must not contain the NUL/);
  });

  it('accepts what the store holds: surrogate pairs, the largest doubles, deep values', () => {
    expect(findUnstorable({ emoji: '😀 ok', big: 1.7976931348623157e308, tiny: 5e-324, nested: [[{ a: 'ü' }]] })).toBeUndefined();
    expect(findUnstorable(null)).toBeUndefined();
  });
});
