import { api } from '../api.js';
import { ActionButton } from '../actions.js';
import { usePoll } from '../poll.js';
import type { BreakerRow } from './overview.js';

/** Every breaker of every agent; open-all / close-all for operators. */
export function BreakersPage() {
  const { data, error, refresh } = usePoll(() => api<{ heldOpen: boolean; breakers: BreakerRow[] }>('/api/v1/circuit-breakers'));
  return (
    <section>
      <header class="page-head">
        <h1>Breakers</h1>
        <div class="actions">
          <ActionButton
            spec={{
              label: 'Open all',
              confirm: 'Open every breaker and hold them open? Every model falls back to its rules.',
              role: 'operator',
              method: 'POST',
              path: '/api/v1/circuit-breakers/open-all',
              body: (reason) => (reason ? { reason } : {}),
              danger: true,
              testId: 'breakers-open-all',
              onDone: refresh,
            }}
          />
          <ActionButton
            spec={{
              label: 'Close all',
              confirm: 'Release the hold and close every breaker?',
              role: 'operator',
              method: 'POST',
              path: '/api/v1/circuit-breakers/close-all',
              body: (reason) => (reason ? { reason } : {}),
              testId: 'breakers-close-all',
              onDone: refresh,
            }}
          />
        </div>
      </header>
      {error && <p class="err">{error}</p>}
      {data && (
        <>
          <p data-testid="breakers-held">{data.heldOpen ? 'held open by an operator' : 'automatic'}</p>
          <table data-testid="breakers-table">
            <thead>
              <tr>
                <th>agent</th>
                <th>kind</th>
                <th>state</th>
              </tr>
            </thead>
            <tbody>
              {data.breakers.map((b) => (
                <tr key={`${b.agent}-${b.kind}`}>
                  <td>{b.agent}</td>
                  <td>{b.kind}</td>
                  <td class={b.state === 'closed' ? 'ok' : 'err'}>{b.state}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </>
      )}
    </section>
  );
}
