import { api } from '../api.js';
import { num, pct } from '../format.js';
import { usePoll } from '../poll.js';

type Quality =
  | { kind: 'label'; count: number; model: { accuracy: number; macroF1: number }; rules: { accuracy: number; macroF1: number } }
  | { kind: 'value'; count: number; model: { mae: number; rmse: number }; rules: { mae: number; rmse: number }; maeImprovement: number }
  | { kind: 'reward'; count: number; rulesMeanReward: number; modelMeanRewardWhenAgree: number | null; agreeCount: number };
interface AgentShadow {
  readonly agent: string;
  readonly total: number;
  readonly failed: number;
  readonly agreementRate: number | null;
  readonly meanLatencyMs: number | null;
  readonly modelVersions: readonly number[];
  readonly withOutcome: number;
  readonly quality: Quality | null;
}

function compare(q: Quality | null) {
  if (!q) return <span class="muted">no outcomes yet</span>;
  switch (q.kind) {
    case 'label':
      return `accuracy model ${pct(q.model.accuracy)} vs rules ${pct(q.rules.accuracy)} · macro-F1 ${num(q.model.macroF1)} vs ${num(q.rules.macroF1)} (n=${q.count})`;
    case 'value':
      return `MAE model ${num(q.model.mae)} vs rules ${num(q.rules.mae)} (${pct(q.maeImprovement)} better) · RMSE ${num(q.model.rmse)} vs ${num(q.rules.rmse)} (n=${q.count})`;
    case 'reward':
      return `mean reward when the model agrees ${num(q.modelMeanRewardWhenAgree)} vs rules ${num(q.rulesMeanReward)} (n=${q.count}, agree ${q.agreeCount})`;
  }
}

/** Shadow model vs rules on the same outcomes. */
export function ShadowPage() {
  const { data, error } = usePoll(() => api<{ total: number; agreementRate: number | null; agents: AgentShadow[] }>('/api/v1/shadow/stats'));
  return (
    <section>
      <h1>Shadow model vs rules</h1>
      {error && <p class="err">{error}</p>}
      {data && (
        <>
          <p>
            {data.total} shadow predictions · agreement {pct(data.agreementRate)}
          </p>
          <table data-testid="shadow-table">
            <thead>
              <tr>
                <th>agent</th>
                <th>predictions</th>
                <th>failed</th>
                <th>agreement</th>
                <th>latency</th>
                <th>versions</th>
                <th>model vs rules</th>
              </tr>
            </thead>
            <tbody>
              {data.agents.map((a) => (
                <tr key={a.agent}>
                  <td>{a.agent}</td>
                  <td>{a.total}</td>
                  <td>{a.failed}</td>
                  <td>{pct(a.agreementRate)}</td>
                  <td>{a.meanLatencyMs === null ? '—' : `${num(a.meanLatencyMs, 2)} ms`}</td>
                  <td>{a.modelVersions.join(', ') || '—'}</td>
                  <td class="small">{compare(a.quality)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </>
      )}
    </section>
  );
}
