import { Command } from 'commander';
import { ApprenticeError, ErrorCode, UnavailableError, ValidationError } from '../../core/index.js';
import { fail, print, table } from '../output.js';

/** Options of commands that talk to a running server. */
export interface ApiFlags {
  readonly url?: string;
  readonly token?: string;
  readonly json?: boolean;
}

export function apiOptions(cmd: Command): Command {
  return cmd
    .option('--url <url>', 'server base URL (env APPRENTICE_URL, default http://127.0.0.1:8080)')
    .option('--token <token>', 'API token (env APPRENTICE_TOKEN)')
    .option('--json', 'print JSON');
}

/** Call the HTTP API; a problem+json answer becomes an ApprenticeError with its code and field issues. */
export async function callApi<T>(flags: ApiFlags, method: string, path: string, body?: unknown, reason?: string): Promise<T> {
  const base = flags.url ?? process.env.APPRENTICE_URL ?? 'http://127.0.0.1:8080';
  const token = flags.token ?? process.env.APPRENTICE_TOKEN;
  let res: Response;
  try {
    res = await fetch(new URL(path, base), {
      method,
      headers: {
        ...(body !== undefined ? { 'content-type': 'application/json' } : {}),
        ...(token ? { authorization: `Bearer ${token}` } : {}),
        ...(reason ? { 'x-apprentice-reason': reason } : {}),
      },
      ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
    });
  } catch (cause) {
    throw new UnavailableError(`cannot reach apprentice at ${base} (is \`apprentice serve\` running?)`, { cause });
  }
  const data = (await res.json().catch(() => ({}))) as Record<string, unknown>;
  if (res.ok) return data as T;
  const message = typeof data.detail === 'string' ? data.detail : typeof data.title === 'string' ? data.title : `HTTP ${res.status}`;
  const issues = Array.isArray(data.errors) ? (data.errors as { path: string; message: string }[]) : [];
  if (res.status === 400) throw new ValidationError(message, issues);
  const code = Object.values(ErrorCode).includes(data.code as ErrorCode) ? (data.code as ErrorCode) : ErrorCode.INTERNAL;
  throw new ApprenticeError(code, message);
}

function run(action: () => Promise<void>): Promise<void> {
  return action().catch((e: unknown) => {
    process.exitCode = fail(e);
  });
}

interface RolloutView {
  agent: string;
  step: string;
  percentage: number;
  updatedAt: string | null;
  updatedBy?: string | null;
  reason?: string | null;
  verdict?: { action: string; reasons: string[] };
}

/** `apprentice rollouts [agent]`: every agent's rollout step, or one agent's status, verdict and statistics. */
export function rolloutsCommand(): Command {
  return apiOptions(new Command('rollouts').argument('[agent]').description('show rollouts (one agent: with its statistics and the controller verdict)')).action(
    (agent: string | undefined, flags: ApiFlags) =>
      run(async () => {
        if (agent) {
          const s = await callApi<RolloutView & { analysis: { effect: number; ci: [number | null, number | null]; pValue: number } | null }>(flags, 'GET', `/api/v1/rollouts/${encodeURIComponent(agent)}`);
          print(s, flags.json ?? false, () => {
            const a = s.analysis;
            const stats = a ? `effect ${a.effect.toFixed(4)}  CI [${a.ci[0] ?? '-∞'}, ${a.ci[1] ?? '∞'}]  p ${a.pValue.toPrecision(3)}` : 'no experiment';
            return `${s.agent}: ${s.step} (${s.percentage}% ml)\n${stats}\nverdict: ${s.verdict?.action} — ${s.verdict?.reasons.join('; ')}`;
          });
        } else {
          const { rollouts } = await callApi<{ rollouts: RolloutView[] }>(flags, 'GET', '/api/v1/rollouts');
          print(rollouts, flags.json ?? false, () =>
            table([['agent', 'step', 'ml %', 'by', 'reason', 'updated'], ...rollouts.map((r) => [r.agent, r.step, String(r.percentage), r.updatedBy ?? '', r.reason ?? '', r.updatedAt ?? ''])]),
          );
        }
      }),
  );
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
