import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { planRemediation } from './remediation.js';

const firing = (labels: Record<string, string>) => ({
  status: 'firing' as const,
  labels: { alertname: 'X', ...labels },
});

describe('planRemediation', () => {
  it('the remediation label wins over the alertname table', () => {
    expect(
      planRemediation(
        firing({ alertname: 'ApprenticeModelAccuracyDrop', agent: 'a', remediation: 'rollback' }),
      ),
    ).toEqual({ action: 'rollback', agent: 'a' });
    expect(planRemediation(firing({ agent: 'a', remediation: 'hold' }))).toEqual({
      action: 'pause',
      agent: 'a',
    });
    expect(planRemediation(firing({ agent: 'a', remediation: 'open-breaker' }))).toEqual({
      action: 'open_breaker',
      agent: 'a',
    });
    expect(
      planRemediation(firing({ alertname: 'ApprenticeModelBelowRules', agent: 'a', remediation: 'none' })),
    ).toMatchObject({ action: 'none' });
  });

  it('falls back to the alertname table', () => {
    expect(planRemediation(firing({ alertname: 'ApprenticeModelAccuracyDrop', agent: 'a' }))).toEqual({
      action: 'open_breaker',
      agent: 'a',
    });
    expect(planRemediation(firing({ alertname: 'ApprenticeSampleRatioMismatch', agent: 'a' }))).toEqual({
      action: 'pause',
      agent: 'a',
    });
    expect(planRemediation(firing({ alertname: 'ApprenticeBusLagHigh' }))).toEqual({
      action: 'none',
      why: 'no remediation for this alert',
    });
  });

  it('never acts on resolved alerts, alerts without agent, or unknown label values', () => {
    expect(
      planRemediation({ status: 'resolved', labels: { alertname: 'ApprenticeModelBelowRules', agent: 'a' } }),
    ).toEqual({ action: 'none', why: 'alert resolved' });
    expect(planRemediation(firing({ alertname: 'ApprenticeModelBelowRules' }))).toEqual({
      action: 'none',
      why: 'alert has no agent label',
    });
    expect(planRemediation(firing({ agent: 'a', remediation: 'reboot' }))).toMatchObject({
      action: 'none',
      why: expect.stringContaining('reboot'),
    });
  });

  it('property: an action is only planned for a firing alert with an agent', () => {
    fc.assert(
      fc.property(
        fc.constantFrom('firing' as const, 'resolved' as const),
        fc.dictionary(fc.constantFrom('alertname', 'agent', 'remediation', 'severity'), fc.string()),
        (status, labels) => {
          const p = planRemediation({ status, labels: { alertname: 'A', ...labels } });
          if (p.action !== 'none') {
            expect(status).toBe('firing');
            expect(p.agent).toBe(labels.agent);
            expect(p.agent.length).toBeGreaterThan(0);
          }
        },
      ),
    );
  });
});
