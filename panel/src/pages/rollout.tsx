import { useRef } from 'preact/hooks';
import { api, readEvents, type StoredEvent } from '../api.js';
import { ActionButton, type ActionSpec } from '../actions.js';
import { EffectChart, type EffectPoint } from '../chart.js';
import { num, when } from '../format.js';
import { usePoll } from '../poll.js';

interface Status {
  readonly agent: string;
  readonly phase: string;
  readonly step: string;
  readonly percentage: number;
  readonly experiment: { readonly id: string } | null;
  readonly analysis: { readonly margin?: number } | null;
  readonly guardrails: { readonly ok?: boolean; readonly breaches?: readonly unknown[]; readonly [k: string]: unknown } | null;
  readonly verdict: { readonly action?: string; readonly reason?: string; readonly reasons?: readonly string[] } | null;
  /** The OPE gate's evidence while in shadow (exploring reward agents). */
  readonly ope?: {
    readonly pass: boolean;
    readonly n: number;
    readonly dr: { readonly estimate: number };
    readonly interval: { readonly lower: number; readonly upper: number };
    readonly servedValue: number;
    readonly margin: number;
    readonly effectiveSampleSize: number;
  } | null;
  /** Label delay of the running step. */
  readonly outcomes?: { readonly reason: string } | null;
  /** Past shadow: the OPE evidence the rollout left shadow with (its step event). */
  readonly admission?: {
    readonly version: number;
    readonly at: string;
    readonly ope: { readonly estimate?: number | null; readonly lower?: number | null; readonly upper?: number | null; readonly servedValue?: number | null; readonly margin?: number; readonly effectiveSampleSize?: number; readonly n?: number };
  } | null;
}
interface Significance {
  readonly effect: number;
  readonly ci: readonly [number | null, number | null];
  readonly pValue: number | null;
  readonly margin: number;
  readonly power: number | null;
  readonly verdict: { readonly action?: string; readonly reason?: string } | null;
  readonly srm: { readonly status: string; readonly pValue: number | null };
}
interface Evidence {
  readonly effect?: number;
  readonly ci?: readonly [number | null, number | null];
  readonly pValue?: number;
}
interface StepData {
  readonly before: { readonly phase: string; readonly percentage?: number };
  readonly after: { readonly phase: string; readonly percentage?: number };
  readonly command: string;
  readonly evidence?: Evidence;
}

const stepLabel = (s: StepData['after']): string => (s.phase === 'canary' ? `${s.percentage}%` : s.phase);

/**
 * One agent's rollout: its state and verdict, the effect and always-valid CI over time (the
 * evidence of every `RolloutStepChanged` plus the running experiment's significance), the
 * guardrails, and every step with its actor and reason. Steps are read incrementally: each poll
 * asks only for events after the last cursor.
 */
export function RolloutPage({ agent }: { readonly agent: string }) {
  const trail = useRef<{ events: StoredEvent[]; next: string | null; agent: string }>({ events: [], next: null, agent });
  if (trail.current.agent !== agent) trail.current = { events: [], next: null, agent };
  const { data, error, refresh } = usePoll(async () => {
    const t = trail.current;
    const fresh = await readEvents(['RolloutStepChanged'], t.next);
    t.events.push(...fresh.events.filter((e) => e.stream === `rollout-${agent}`));
    t.next = fresh.next;
    const status = await api<Status>(`/api/v1/rollouts/${encodeURIComponent(agent)}`);
    const sig = status.experiment ? await api<Significance>(`/api/v1/experiments/${encodeURIComponent(status.experiment.id)}/significance`).catch(() => null) : null;
    return { status, sig, steps: [...t.events] };
  }, [agent]);

  const points: EffectPoint[] = [];
  for (const e of data?.steps ?? []) {
    const d = e.data as unknown as StepData;
    if (d.evidence?.effect !== undefined && d.evidence.ci)
      points.push({ time: Date.parse(e.time), label: `→${stepLabel(d.after)}`, effect: d.evidence.effect, lo: d.evidence.ci[0], hi: d.evidence.ci[1], kind: 'step' });
  }
  if (data?.sig && Number.isFinite(data.sig.effect)) points.push({ time: Date.now(), label: 'now', effect: data.sig.effect, lo: data.sig.ci[0], hi: data.sig.ci[1], kind: 'live' });

  const act = (label: string, action: string, role: ActionSpec['role'], danger = false): ActionSpec => ({
    label,
    confirm: `${label} the rollout of ${agent}?`,
    role,
    method: 'POST',
    path: `/api/v1/rollouts/${encodeURIComponent(agent)}/${action}`,
    body: (reason) => (reason ? { reason } : {}),
    danger,
    testId: `action-${action}`,
    onDone: refresh,
  });
  const s = data?.status;
  return (
    <section>
      <header class="page-head">
        <h1>
          Rollout · {agent} {s && <span class={`phase phase-${s.phase}`} data-testid="rollout-step">{s.step}</span>}
        </h1>
        <div class="actions">
          <ActionButton spec={act('Advance', 'advance', 'admin')} />
          <ActionButton spec={act('Pause', 'pause', 'operator')} />
          <ActionButton spec={act('Resume', 'resume', 'operator')} />
          <ActionButton spec={act('Roll back', 'rollback', 'operator', true)} />
        </div>
      </header>
      {error && <p class="err">{error}</p>}
      {s && (
        <p>
          ML traffic <b data-testid="rollout-percentage">{s.percentage}%</b> · controller verdict: <b>{s.verdict?.action ?? '—'}</b>{' '}
          <span class="muted">{s.verdict?.reasons?.join('; ') ?? s.verdict?.reason ?? ''}</span>
        </p>
      )}
      {s?.ope && (
        <p class="small" data-testid="ope">
          OPE gate: <b>{s.ope.pass ? 'pass' : 'hold'}</b> — DR {num(s.ope.dr.estimate)} [{num(s.ope.interval.lower)}, {num(s.ope.interval.upper)}] vs served{' '}
          {num(s.ope.servedValue)} + margin {s.ope.margin}, ESS {num(s.ope.effectiveSampleSize, 0)} of {s.ope.n}
        </p>
      )}
      {s?.admission && (
        <p class="small" data-testid="ope-admission">
          Left shadow on the OPE gate ({when(s.admission.at)}): DR {num(s.admission.ope.estimate)} [{num(s.admission.ope.lower)}, {num(s.admission.ope.upper)}] vs served{' '}
          {num(s.admission.ope.servedValue)} + margin {s.admission.ope.margin ?? 0}, ESS {num(s.admission.ope.effectiveSampleSize, 0)} of {s.admission.ope.n ?? 0}
        </p>
      )}
      {s?.outcomes && (
        <p class="small" data-testid="outcomes">
          outcomes: {s.outcomes.reason}
        </p>
      )}
      <h2>Effect (ml − rules) and always-valid 95% CI</h2>
      <EffectChart points={points} margin={data?.sig?.margin ?? s?.analysis?.margin ?? null} />
      {data?.sig && (
        <p class="small">
          running experiment: effect {num(data.sig.effect, 4)}, CI [{num(data.sig.ci[0], 4)}, {num(data.sig.ci[1], 4)}], p = {num(data.sig.pValue, 4)}, power {num(data.sig.power, 2)}, SRM {data.sig.srm.status}
        </p>
      )}
      <h2>Guardrails</h2>
      {s?.guardrails ? <pre class="json small" data-testid="guardrails">{JSON.stringify(s.guardrails, null, 1)}</pre> : <p class="muted">no running step</p>}
      <h2>Steps</h2>
      <table data-testid="steps-table">
        <thead>
          <tr>
            <th>time</th>
            <th>change</th>
            <th>command</th>
            <th>actor</th>
            <th>reason</th>
            <th>evidence</th>
          </tr>
        </thead>
        <tbody>
          {[...(data?.steps ?? [])].reverse().map((e) => {
            const d = e.data as unknown as StepData;
            return (
              <tr key={e.id} data-testid="step-row">
                <td>{when(e.time)}</td>
                <td>
                  {stepLabel(d.before)} → {stepLabel(d.after)}
                </td>
                <td>{d.command}</td>
                <td>{e.metadata.actor ?? '—'}</td>
                <td>{e.metadata.reason ?? '—'}</td>
                <td class="small">{d.evidence ? `effect ${num(d.evidence.effect, 4)}, p ${num(d.evidence.pValue, 4)}` : '—'}</td>
              </tr>
            );
          })}
        </tbody>
      </table>
    </section>
  );
}
