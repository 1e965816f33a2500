import { Command } from 'commander';
import { ValidationError } from '../../core/index.js';
import { type ApiFlags, apiOptions, callApi, runAction as run } from '../api.js';
import { print, table } from '../output.js';

export { type ApiFlags, apiOptions, callApi } from '../api.js';

interface RolloutView {
  agent: string;
  step: string;
  percentage: number;
  updatedAt: string | null;
  updatedBy?: string | null;
  reason?: string | null;
  verdict?: { action: string; reasons: string[] };
}

/**
 * Operator actions on one agent's rollout, each `POST /api/v1/rollouts/{agent}/{action}` with an
 * optional reason (audited: `RolloutStepChanged`, or `RolloutGateApproved` for `approve`).
 */
export const ROLLOUT_ACTIONS = {
  pause: 'hold the current step: the controller stops advancing (it still rolls back when unsafe)',
  resume: 'let a paused rollout continue from its step',
  advance: 'move to the next step now (5 → 25 → 50 → 100%), skipping the statistics',
  approve: 'approve the manual gate ahead (policy gates): the controller advances once the statistics allow',
} as const;

interface EvidenceView {
  ope?: { pass: boolean; n: number; dr: { estimate: number }; interval: { lower: number; upper: number }; servedValue: number; margin: number; effectiveSampleSize: number } | null;
  outcomes?: { reason: string } | null;
  admission?: { version: number; at: string; ope: { pass?: boolean; n?: number; estimate?: number | null; lower?: number | null; upper?: number | null; servedValue?: number | null; margin?: number; effectiveSampleSize?: number } } | null;
}

/** The evidence gates of a status in one line each (issue 12): the OPE gate in shadow (past shadow: the evidence it left with), the label-delay wait of a step. */
export function describeEvidence(s: EvidenceView): string[] {
  const out: string[] = [];
  const o = s.ope;
  if (o) {
    const f = (x: number): string => (Number.isFinite(x) ? x.toFixed(3) : String(x));
    out.push(
      `OPE gate: ${o.pass ? 'pass' : 'hold'} — DR ${f(o.dr.estimate)} [${f(o.interval.lower)}, ${f(o.interval.upper)}] vs served ${f(o.servedValue)} + margin ${o.margin}, ESS ${o.effectiveSampleSize.toFixed(0)} of ${o.n}`,
    );
  }
  const a = s.admission;
  if (a) {
    const f = (x: number | null | undefined): string => (typeof x === 'number' && Number.isFinite(x) ? x.toFixed(3) : 'n/a');
    const o = a.ope;
    out.push(
      `left shadow on the OPE gate (version ${a.version}, ${a.at}): DR ${f(o.estimate)} [${f(o.lower)}, ${f(o.upper)}] vs served ${f(o.servedValue)} + margin ${o.margin ?? 0}, ESS ${(o.effectiveSampleSize ?? 0).toFixed(0)} of ${o.n ?? 0}`,
    );
  }
  if (s.outcomes) out.push(`outcomes: ${s.outcomes.reason}`);
  return out;
}

function showRollouts(agent: string | undefined, flags: ApiFlags): Promise<void> {
  return run(async () => {
    if (agent) {
      const s = await callApi<RolloutView & EvidenceView & { analysis: { effect: number; ci: [number | null, number | null]; pValue: number } | null }>(flags, 'GET', `/api/v1/rollouts/${encodeURIComponent(agent)}`);
      print(s, flags.json ?? false, () => {
        const a = s.analysis;
        const stats = a ? `effect ${a.effect.toFixed(4)}  CI [${a.ci[0] ?? '-∞'}, ${a.ci[1] ?? '∞'}]  p ${a.pValue.toPrecision(3)}` : 'no experiment';
        return [`${s.agent}: ${s.step} (${s.percentage}% ml)`, stats, ...describeEvidence(s), `verdict: ${s.verdict?.action} — ${s.verdict?.reasons.join('; ')}`].join('\n');
      });
    } else {
      const { rollouts } = await callApi<{ rollouts: RolloutView[] }>(flags, 'GET', '/api/v1/rollouts');
      print(rollouts, flags.json ?? false, () =>
        table([['agent', 'step', 'ml %', 'by', 'reason', 'updated'], ...rollouts.map((r) => [r.agent, r.step, String(r.percentage), r.updatedBy ?? '', r.reason ?? '', r.updatedAt ?? ''])]),
      );
    }
  });
}

/**
 * `apprentice rollouts [agent]` (every agent's step, or one agent's status, verdict and
 * statistics) and `apprentice rollouts pause|resume|advance <agent> [--reason]`.
 * @example apprentice rollouts pause debugger --reason "investigating latency"
 */
export function rolloutsCommand(): Command {
  const cmd = new Command('rollouts').description('show rollouts (one agent: with its statistics and the controller verdict); pause, resume or advance one');
  cmd.addCommand(
    apiOptions(new Command('show').argument('[agent]').description('every agent\'s rollout step, or one agent\'s status (the default: `apprentice rollouts [agent]`)')).action(
      (agent: string | undefined, flags: ApiFlags) => showRollouts(agent, flags),
    ),
    { isDefault: true },
  );
  for (const [action, description] of Object.entries(ROLLOUT_ACTIONS)) {
    cmd.addCommand(
      apiOptions(new Command(action).argument('<agent>').description(description))
        .option('--reason <text>', 'why (audit trail)')
        .action((agent: string, flags: ApiFlags & { reason?: string }) =>
          run(async () => {
            const r = await callApi<RolloutView>(flags, 'POST', `/api/v1/rollouts/${encodeURIComponent(agent)}/${action}`, flags.reason ? { reason: flags.reason } : {});
            print(r, flags.json ?? false, () => `${r.agent}: ${r.step} (${r.percentage}% ml)`);
          }),
        ),
    );
  }
  return cmd;
}

/** `apprentice rollback --all | --agent <name> [--reason]`: send agents back to their rules. */
export function rollbackCommand(): Command {
  return apiOptions(new Command('rollback').description('send every agent (--all) or one (--agent) back to its deterministic rules'))
    .option('--all', 'emergency: every agent')
    .option('--agent <name>', 'one agent')
    .option('--reason <text>', 'why (audit trail)')
    .action((flags: ApiFlags & { all?: boolean; agent?: string; reason?: string }) =>
      run(async () => {
        if (Boolean(flags.all) === Boolean(flags.agent))
          throw new ValidationError('give exactly one of --all or --agent', [{ path: 'agent', message: 'use --all or --agent <name>' }]);
        const body = flags.reason ? { reason: flags.reason } : {};
        if (flags.all) {
          const r = await callApi<{ agents: string[] }>(flags, 'POST', '/api/v1/rollback', body);
          print(r, flags.json ?? false, () => `rolled back: ${r.agents.join(', ') || '(no agent was serving a model)'}`);
        } else {
          const r = await callApi<RolloutView>(flags, 'POST', `/api/v1/rollouts/${encodeURIComponent(flags.agent!)}/rollback`, body);
          print(r, flags.json ?? false, () => `${r.agent}: ${r.step}`);
        }
      }),
    );
}
