import { describe, expect, it } from 'vitest';
import { RolloutPolicyInputSchema, isApprenticeError } from '../../core/index.js';
import { presentPolicy, resolveRolloutPolicy } from './resolve-policy.js';
import { DEFAULT_ROLLOUT_POLICY } from './rollout-policy.js';

// Issue 16: "Make the window and the thresholds part of the rollout policy". The sequential
// analysis's bucket, the loss test's recent window, the change detector's threshold, what
// concept drift does and the label-delay history are configuration (config `rollout`, an agent
// definition's `rollout`), merged layer over layer, validated, and shown by the API.
describe('rollout policy: the sequential analysis is configuration', () => {
  it('config and agent layers set the window and thresholds; the agent wins', () => {
    const config = RolloutPolicyInputSchema.parse({ bucketMs: 5000, lossWindowMs: 30_000, changeThreshold: 6, conceptDrift: 'hold', delayHistoryMs: 3_600_000, lossAlpha: 0.01 });
    const agent = RolloutPolicyInputSchema.parse({ lossWindowMs: 20_000 });
    const p = resolveRolloutPolicy(config, agent);
    expect({ bucketMs: p.bucketMs, lossWindowMs: p.lossWindowMs, changeThreshold: p.changeThreshold, conceptDrift: p.conceptDrift, delayHistoryMs: p.delayHistoryMs, lossAlpha: p.lossAlpha }).toEqual({
      bucketMs: 5000,
      lossWindowMs: 20_000,
      changeThreshold: 6,
      conceptDrift: 'hold',
      delayHistoryMs: 3_600_000,
      lossAlpha: 0.01,
    });
    expect(presentPolicy(p)).toMatchObject({ bucketMs: 5000, lossWindowMs: 20_000, changeThreshold: 6, conceptDrift: 'hold', delayHistoryMs: 3_600_000, lossAlpha: 0.01 });
  });

  it('unset fields keep the built-in defaults', () => {
    const p = resolveRolloutPolicy(RolloutPolicyInputSchema.parse({ steps: [10, 100] }));
    expect([p.bucketMs, p.lossWindowMs, p.changeThreshold, p.conceptDrift]).toEqual([
      DEFAULT_ROLLOUT_POLICY.bucketMs,
      DEFAULT_ROLLOUT_POLICY.lossWindowMs,
      DEFAULT_ROLLOUT_POLICY.changeThreshold,
      DEFAULT_ROLLOUT_POLICY.conceptDrift,
    ]);
  });

  it.each([
    [{ conceptDrift: 'ignore' }, 'conceptDrift', 'must be hold or rollback'],
    [{ bucketMs: 10 }, 'bucketMs', 'must be at least 1000'],
    [{ changeThreshold: 0 }, 'changeThreshold', 'must be greater than 0'],
    [{ bucketMs: 20_000, lossWindowMs: 10_000 }, 'lossWindowMs', 'must be at least bucketMs (20000)'],
  ])('refuses %j naming the field', (input, path, message) => {
    const r = RolloutPolicyInputSchema.safeParse(input);
    expect(r.success).toBe(false);
    expect(r.error?.issues.map((i) => [i.path.join('.'), i.message])).toContainEqual([path, message]);
  });

  it('a window shorter than the bucket is refused after merging layers too', () => {
    const e = (() => {
      try {
        return resolveRolloutPolicy({ bucketMs: 30_000 }, { lossWindowMs: 10_000 });
      } catch (x) {
        return x;
      }
    })();
    expect(isApprenticeError(e) && e.message).toBe('invalid rollout policy: rollout.lossWindowMs: must be at least bucketMs (30000)');
  });
});
