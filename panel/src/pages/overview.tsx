import { api } from '../api.js';
import { ActionButton } from '../actions.js';
import { ago, when } from '../format.js';
import { usePoll } from '../poll.js';

export interface Rollout {
  readonly agent: string;
  readonly phase: string;
  readonly step: string;
  readonly percentage: number;
  readonly version: number;
  readonly updatedAt: string | null;
  readonly updatedBy: string | null;
  readonly reason: string | null;
}
export interface BreakerRow {
  readonly agent: string;
  readonly kind: string;
  readonly state: string;
}
interface DriftRow {
  readonly agent: string;
  readonly phase: string;
  readonly drifting: boolean;
  readonly report: { readonly driftShare?: number } | null;
}

/** Agents overview: phase, percentage, breakers, drift and the last change of every rollout. */
export function Overview() {
  const { data, error, refresh } = usePoll(async () => {
    const [r, b, d] = await Promise.all([
      api<{ rollouts: Rollout[] }>('/api/v1/rollouts'),
      api<{ heldOpen: boolean; breakers: BreakerRow[] }>('/api/v1/circuit-breakers'),
      api<{ agents: DriftRow[] }>('/api/v1/drift'),
    ]);
    return { rollouts: r.rollouts, breakers: b, drift: d.agents };
  });
  return (
    <section>
      <header class="page-head">
        <h1>Agents</h1>
        <ActionButton
          spec={{
            label: 'Emergency rollback',
            confirm: 'Send EVERY agent back to its rules (0% ML) now?',
            role: 'operator',
            method: 'POST',
            path: '/api/v1/rollback',
            body: (reason) => (reason ? { reason } : {}),
            danger: true,
            testId: 'emergency-rollback',
            onDone: refresh,
          }}
        />
      </header>
      {error && <p class="err">{error}</p>}
      {data && (
        <table data-testid="agents-table">
          <thead>
            <tr>
              <th>agent</th>
              <th>phase</th>
              <th>ML traffic</th>
              <th>breakers</th>
              <th>drift</th>
              <th>last change</th>
            </tr>
          </thead>
          <tbody>
            {data.rollouts.map((r) => {
              const open = data.breakers.breakers.filter((b) => b.agent === r.agent && b.state !== 'closed');
              const drift = data.drift.find((d) => d.agent === r.agent);
              return (
                <tr key={r.agent} data-testid={`agent-row-${r.agent}`}>
                  <td>
                    <a href={`#/rollout/${r.agent}`}>{r.agent}</a>
                  </td>
                  <td>
                    <span class={`phase phase-${r.phase}`} data-testid="phase">
                      {r.step}
                    </span>
                  </td>
                  <td>
                    <div class="bar" title={`${r.percentage}%`}>
                      <div style={{ width: `${r.percentage}%` }} />
                    </div>
                    <span data-testid="percentage">{r.percentage}%</span>
                  </td>
                  <td>{open.length === 0 ? <span class="ok">closed</span> : <span class="err">{open.map((b) => `${b.kind}:${b.state}`).join(', ')}</span>}</td>
                  <td>{drift === undefined ? <span class="muted">no decisions yet</span> : drift.drifting ? <span class="err">drifting</span> : <span class="ok">{drift.phase}</span>}</td>
                  <td title={when(r.updatedAt)}>
                    {ago(r.updatedAt)} {r.updatedBy ? `by ${r.updatedBy}` : ''}
                    {r.reason ? <div class="muted small">{r.reason}</div> : null}
                  </td>
                </tr>
              );
            })}
          </tbody>
        </table>
      )}
      {data && data.breakers.heldOpen && <p class="err">Every breaker is held open (open-all): models fall back to the rules.</p>}
    </section>
  );
}
