import { api } from '../api.js';
import { num, pct } from '../format.js';
import { usePoll } from '../poll.js';

interface FeatureResult {
  readonly method: string;
  readonly statistic: number;
  readonly pValue?: number;
  readonly threshold: number;
  readonly drifted: boolean;
}
interface AgentDrift {
  readonly agent: string;
  readonly phase: string;
  readonly drifting: boolean;
  readonly decisions: number;
  readonly reference: { readonly source: string; readonly modelVersion: number | null; readonly note: string };
  readonly report: { readonly driftShare?: number; readonly features: Readonly<Record<string, FeatureResult>> } | null;
  readonly quality: Readonly<Record<string, { readonly completeness?: number; readonly missing?: number }>>;
}

/** Drift per feature of every agent: the last closed window's verdicts and the current window's quality. */
export function DriftPage() {
  const { data, error } = usePoll(() => api<{ agents: AgentDrift[] }>('/api/v1/drift'));
  return (
    <section>
      <h1>Drift</h1>
      {error && <p class="err">{error}</p>}
      {data && data.agents.length === 0 && <p class="muted">No agent has made a decision since the service started.</p>}
      {data?.agents.map((a) => (
        <div class="card" key={a.agent} data-testid={`drift-${a.agent}`}>
          <h2>
            {a.agent} <span class={a.drifting ? 'err' : 'ok'}>{a.drifting ? 'drifting' : a.phase}</span>
          </h2>
          <p class="small">
            reference: {a.reference.source}
            {a.reference.modelVersion !== null ? ` (model v${a.reference.modelVersion})` : ''} · {a.decisions} decisions · {a.reference.note}
            {a.report?.driftShare !== undefined ? ` · drifted share ${pct(a.report.driftShare)}` : ''}
          </p>
          <table>
            <thead>
              <tr>
                <th>feature</th>
                <th>method</th>
                <th>statistic</th>
                <th>p-value</th>
                <th>threshold</th>
                <th>drift</th>
                <th>completeness</th>
              </tr>
            </thead>
            <tbody>
              {[...new Set([...Object.keys(a.report?.features ?? {}), ...Object.keys(a.quality)])].map((f) => {
                const r = a.report?.features[f];
                const q = a.quality[f];
                return (
                  <tr key={f}>
                    <td>{f}</td>
                    <td>{r?.method ?? '—'}</td>
                    <td>{num(r?.statistic)}</td>
                    <td>{num(r?.pValue)}</td>
                    <td>{num(r?.threshold)}</td>
                    <td class={r?.drifted ? 'err' : 'ok'}>{r === undefined ? '—' : r.drifted ? 'drifted' : 'stable'}</td>
                    <td>{pct(q?.completeness)}</td>
                  </tr>
                );
              })}
            </tbody>
          </table>
        </div>
      ))}
    </section>
  );
}
