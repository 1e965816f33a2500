import { ErrorCode, OpenFeature, ProviderEvents, StandardResolutionReasons } from '@openfeature/server-sdk';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { ApprenticeProvider } from './apprentice-provider.js';
import { rolloutFlag, rolloutFlagKey } from './rollout-flag.js';

const config = {
  flags: {
    [rolloutFlagKey('debugger')]: rolloutFlag('debugger', 100),
    dark: { state: 'ENABLED' as const, variants: { on: true, off: false }, defaultVariant: 'on', metadata: { owner: 'ui' } },
    off: { state: 'DISABLED' as const, variants: { on: true }, defaultVariant: 'on' },
    limits: { state: 'ENABLED' as const, variants: { small: { max: 1 }, big: { max: 9 } }, defaultVariant: 'big' },
    retries: { state: 'ENABLED' as const, variants: { few: 1, many: 5 }, defaultVariant: 'few', targeting: { if: [{ '==': [{ var: 'tier' }, 'gold'] }, 'many'] } },
    broken: { state: 'ENABLED' as const, variants: { a: 'a' }, defaultVariant: 'a', targeting: { $ref: 'nowhere' } },
  },
};

afterEach(async () => {
  await OpenFeature.clearProviders();
});

describe('ApprenticeProvider through the OpenFeature server SDK', () => {
  it('resolves every type with OpenFeature reasons, variants and metadata', async () => {
    await OpenFeature.setProviderAndWait(new ApprenticeProvider(config));
    const client = OpenFeature.getClient();
    expect(await client.getBooleanDetails('dark', false)).toMatchObject({
      flagKey: 'dark',
      value: true,
      variant: 'on',
      reason: StandardResolutionReasons.STATIC,
      flagMetadata: { owner: 'ui' },
    });
    expect(await client.getStringDetails('rollout-debugger', 'deterministic', { targetingKey: 'task-1' })).toMatchObject({
      value: 'ml',
      variant: 'ml',
      reason: StandardResolutionReasons.SPLIT,
    });
    expect(await client.getNumberDetails('retries', 0, { tier: 'gold' })).toMatchObject({ value: 5, reason: StandardResolutionReasons.TARGETING_MATCH });
    expect(await client.getNumberDetails('retries', 0, { tier: 'tin' })).toMatchObject({ value: 1, reason: StandardResolutionReasons.DEFAULT });
    expect(await client.getObjectValue('limits', {})).toEqual({ max: 9 });
    expect(await client.getBooleanDetails('off', false)).toMatchObject({ value: false, reason: StandardResolutionReasons.DISABLED });
  });

  it('maps errors to OpenFeature error codes with the default value', async () => {
    await OpenFeature.setProviderAndWait(new ApprenticeProvider(config));
    const client = OpenFeature.getClient();
    expect(await client.getBooleanDetails('nope', true)).toMatchObject({ value: true, reason: StandardResolutionReasons.ERROR, errorCode: ErrorCode.FLAG_NOT_FOUND });
    expect(await client.getStringDetails('dark', 'x')).toMatchObject({ value: 'x', reason: StandardResolutionReasons.ERROR, errorCode: ErrorCode.TYPE_MISMATCH });
    expect(await client.getStringDetails('broken', 'x')).toMatchObject({ value: 'x', reason: StandardResolutionReasons.ERROR, errorCode: ErrorCode.PARSE_ERROR });
  });

  it('updateConfiguration emits ConfigurationChanged with the changed keys and serves the new definitions', async () => {
    const provider = new ApprenticeProvider(config);
    await OpenFeature.setProviderAndWait(provider);
    const client = OpenFeature.getClient();
    const handler = vi.fn();
    client.addHandler(ProviderEvents.ConfigurationChanged, handler);

    const { dark: _dark, ...rest } = config.flags;
    provider.updateConfiguration({ flags: { ...rest, [rolloutFlagKey('debugger')]: rolloutFlag('debugger', 0), extra: { state: 'ENABLED', variants: { v: 'v' }, defaultVariant: 'v' } } });
    await vi.waitFor(() => expect(handler).toHaveBeenCalledTimes(1));
    expect(handler.mock.calls[0]?.[0]).toMatchObject({ flagsChanged: expect.arrayContaining(['extra', 'dark', 'rollout-debugger']) });
    expect((handler.mock.calls[0]?.[0] as { flagsChanged: string[] }).flagsChanged).toHaveLength(3);
    expect(await client.getStringValue('rollout-debugger', 'x', { targetingKey: 'task-1' })).toBe('deterministic');

    // An identical configuration changes nothing and emits nothing; an invalid one throws and keeps the old.
    provider.updateConfiguration(provider.evaluator.configuration);
    expect(() => provider.updateConfiguration({ flags: { a: { state: 'MAYBE' } } } as never)).toThrow(/flags\.a\.state/);
    expect(await client.getStringValue('extra', 'x')).toBe('v');
    expect(handler).toHaveBeenCalledTimes(1);
  });
});
