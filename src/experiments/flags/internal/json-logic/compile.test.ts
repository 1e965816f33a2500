import { describe, expect, it } from 'vitest';
import { TargetingCompileError } from './compiled.js';
import { compileTargeting, expandRefs } from './compile.js';

const run = (rule: unknown, data: unknown = {}) => compileTargeting(rule, { flagKey: 'f', now: () => 42 }).evaluate(data);

describe('compileTargeting (JsonLogic)', () => {
  it.each([
    [{ var: 'a.b' }, { a: { b: 3 } }, 3],
    [{ var: ['x', 'dflt'] }, {}, 'dflt'],
    [{ var: '' }, 7, 7],
    [{ var: '$flagd.flagKey' }, {}, 'f'],
    [{ var: '$flagd.timestamp' }, {}, 42],
    [{ missing: ['a', 'b'] }, { a: 1 }, ['b']],
    [{ missing_some: [1, ['a', 'b']] }, { a: 1 }, []],
    [{ if: [true, 'y', 'n'] }, {}, 'y'],
    [{ if: [false, 'a', false, 'b', 'c'] }, {}, 'c'],
    [{ '?:': [0, 'y', 'n'] }, {}, 'n'],
    [{ or: [0, '', 'x'] }, {}, 'x'],
    [{ and: [1, [], 'x'] }, {}, []],
    [{ '!': [[]] }, {}, true],
    [{ '!!': ['0'] }, {}, true],
    [{ '==': [1, '1'] }, {}, true],
    [{ '===': [1, '1'] }, {}, false],
    [{ '!=': [1, 2] }, {}, true],
    [{ '<': [1, 2, 3] }, {}, true],
    [{ '<=': [1, 1, 0] }, {}, false],
    [{ '>': [{ var: 'n' }, 2] }, { n: 3 }, true],
    [{ '>=': [2, 3] }, {}, false],
    [{ '+': [1, '2', 3] }, {}, 6],
    [{ '-': [5] }, {}, -5],
    [{ '*': [2, 3] }, {}, 6],
    [{ '/': [6, 4] }, {}, 1.5],
    [{ '%': [7, 3] }, {}, 1],
    [{ max: [1, 9, 3] }, {}, 9],
    [{ min: [4, 2] }, {}, 2],
    [{ cat: ['a', 1, true] }, {}, 'a1true'],
    [{ substr: ['jsonlogic', -5] }, {}, 'logic'],
    [{ substr: ['jsonlogic', 1, -5] }, {}, 'son'],
    [{ in: ['Spring', 'Springfield'] }, {}, true],
    [{ in: ['b', ['a', 'b']] }, {}, true],
    [{ merge: [[1], 2, [3]] }, {}, [1, 2, 3]],
    [{ map: [[1, 2], { '*': [{ var: '' }, 2] }] }, {}, [2, 4]],
    [{ filter: [[1, 2, 3], { '>': [{ var: '' }, 1] }] }, {}, [2, 3]],
    [{ reduce: [[1, 2, 3], { '+': [{ var: 'current' }, { var: 'accumulator' }] }, 0] }, {}, 6],
    [{ all: [[1, 2], { '>': [{ var: '' }, 0] }] }, {}, true],
    [{ some: [[1, 2], { '>': [{ var: '' }, 1] }] }, {}, true],
    [{ none: [[1, 2], { '>': [{ var: '' }, 5] }] }, {}, true],
    [{ starts_with: [{ var: 'id' }, 'ab'] }, { id: 'abc' }, true],
    [{ ends_with: [{ var: 'id' }, 1] }, { id: 'abc' }, null],
    [{ sem_ver: ['1.2.3', '~', 'v1.2.9'] }, {}, true],
    [{ sem_ver: [{ var: 'v' }, '>=', '1.10.0'] }, { v: '1.9.0' }, false],
    [{ fractional: [['only']] }, { targetingKey: 'u' }, 'only'],
    [{ fractional: [['only']] }, {}, null],
  ])('%j on %j → %j', (rule, data, want) => {
    expect(run(rule, data)).toEqual(want);
  });

  it('rejects unknown operators and multi-key rules at compile time', () => {
    expect(() => run({ nope: [1] })).toThrow(TargetingCompileError);
    expect(() => run({ '==': [1, 1], '!=': [1, 2] })).toThrow(/exactly one operator/);
    expect(() => run({ if: [{ $ref: 'missing' }, 'a', 'b'] })).toThrow(/unknown evaluator \$ref "missing"/);
  });
});

describe('expandRefs', () => {
  it('inlines shared evaluators recursively and detects cycles', () => {
    const evaluators = { a: { '==': [{ var: 'x' }, 1] }, b: { and: [{ $ref: 'a' }, true] }, c: { $ref: 'd' }, d: { $ref: 'c' } };
    expect(expandRefs({ if: [{ $ref: 'b' }, 'y', null] }, evaluators)).toEqual({ if: [{ and: [{ '==': [{ var: 'x' }, 1] }, true] }, 'y', null] });
    expect(() => expandRefs({ $ref: 'c' }, evaluators)).toThrow(/cycle: c -> d -> c/);
  });
});
