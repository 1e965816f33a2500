import { useState } from 'preact/hooks';
import { api } from '../api.js';
import { ActionButton } from '../actions.js';
import { when } from '../format.js';
import { usePoll } from '../poll.js';

interface ModelRow {
  readonly agent: string;
  readonly latest: number | null;
  readonly aliases: Readonly<Record<string, number>>;
}
interface Versions {
  readonly versions: readonly { readonly version: number; readonly createdAt?: string; readonly metrics?: Record<string, unknown> }[];
  readonly aliases: Readonly<Record<string, number>>;
  readonly history: readonly { readonly alias: string; readonly from: number | null; readonly to: number; readonly rollback: boolean; readonly actor: string; readonly reason: string; readonly at: string }[];
}

function AgentModels({ agent }: { readonly agent: string }) {
  const { data, refresh } = usePoll(() => api<Versions>(`/api/v1/models/${encodeURIComponent(agent)}/versions`), [agent]);
  const [alias, setAlias] = useState('production');
  const [version, setVersion] = useState('');
  if (!data) return null;
  return (
    <div class="card">
      <h2>{agent}</h2>
      <p>
        aliases:{' '}
        {Object.entries(data.aliases).map(([a, v]) => (
          <span key={a} class="tag">
            {a} → v{v}
          </span>
        ))}
        {' · '}
        {data.versions.length} versions
      </p>
      <div class="inline">
        <label>
          alias <input size={10} value={alias} onInput={(e) => setAlias((e.target as HTMLInputElement).value)} />
        </label>
        <label>
          version{' '}
          <select value={version} onChange={(e) => setVersion((e.target as HTMLSelectElement).value)}>
            <option value="">—</option>
            {data.versions.map((v) => (
              <option key={v.version} value={String(v.version)}>
                v{v.version}
              </option>
            ))}
          </select>
        </label>
        {version !== '' && (
          <ActionButton
            spec={{
              label: 'Move alias',
              confirm: `Point ${agent}@${alias} at version ${version}?`,
              role: 'admin',
              method: 'PUT',
              path: `/api/v1/models/${encodeURIComponent(agent)}/aliases/${encodeURIComponent(alias)}`,
              body: (reason) => ({ version: Number(version), reason }),
              reasonRequired: true,
              testId: `move-alias-${agent}`,
              onDone: refresh,
            }}
          />
        )}
      </div>
      <h3>Alias history</h3>
      <table>
        <thead>
          <tr>
            <th>time</th>
            <th>alias</th>
            <th>version</th>
            <th>actor</th>
            <th>reason</th>
          </tr>
        </thead>
        <tbody>
          {[...data.history].reverse().map((h, i) => (
            <tr key={i}>
              <td>{when(h.at)}</td>
              <td>{h.alias}</td>
              <td>
                {h.from !== null ? `v${h.from} → ` : ''}v{h.to}
                {h.rollback ? ' (rollback)' : ''}
              </td>
              <td>{h.actor}</td>
              <td>{h.reason}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

/** Model versions and alias history per agent; moving an alias (admin) asks for a reason. */
export function ModelsPage() {
  const { data, error } = usePoll(() => api<{ models: ModelRow[] }>('/api/v1/models'));
  return (
    <section>
      <h1>Models</h1>
      {error && <p class="err">{error}</p>}
      {data && data.models.length === 0 && <p class="muted">No model version registered yet: learners snapshot one once they have trained.</p>}
      {data?.models.map((m) => <AgentModels key={m.agent} agent={m.agent} />)}
    </section>
  );
}
