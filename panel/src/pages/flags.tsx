import { api } from '../api.js';
import { when } from '../format.js';
import { usePoll } from '../poll.js';

interface Flag {
  readonly key: string;
  readonly version: number;
  readonly definition: { readonly state: string; readonly defaultVariant?: string | null; readonly variants: Record<string, unknown>; readonly targeting?: unknown };
  readonly updatedAt: string;
  readonly updatedBy: string | null;
}

/** Flags in flagd format, with who changed them last. */
export function FlagsPage() {
  const { data, error } = usePoll(() => api<{ flags: Flag[] }>('/api/v1/flags'));
  return (
    <section>
      <h1>Flags</h1>
      {error && <p class="err">{error}</p>}
      {data && (
        <table data-testid="flags-table">
          <thead>
            <tr>
              <th>key</th>
              <th>state</th>
              <th>variants</th>
              <th>default</th>
              <th>targeting</th>
              <th>version</th>
              <th>updated</th>
            </tr>
          </thead>
          <tbody>
            {data.flags.map((f) => (
              <tr key={f.key}>
                <td>{f.key}</td>
                <td>{f.definition.state}</td>
                <td>{Object.keys(f.definition.variants).join(', ')}</td>
                <td>{f.definition.defaultVariant ?? '—'}</td>
                <td>
                  <code class="small">{f.definition.targeting ? JSON.stringify(f.definition.targeting) : '—'}</code>
                </td>
                <td>{f.version}</td>
                <td>
                  {when(f.updatedAt)} {f.updatedBy ? `by ${f.updatedBy}` : ''}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}
