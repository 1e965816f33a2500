import { useRef, useState } from 'preact/hooks';
import { readEvents, type StoredEvent } from '../api.js';
import { when } from '../format.js';
import { usePoll } from '../poll.js';

/** The control events (who changed what, when and why). Decisions and outcomes are not audit rows. */
export const AUDIT_TYPES = [
  'RolloutStepChanged',
  'EmergencyRollback',
  'ModelAliasMoved',
  'FlagChanged',
  'BreakerOverridden',
  'BreakerStateChanged',
  'AlertRemediated',
  'AgentDefined',
  'DriftDetected',
  'TokenCreated',
  'TokenRevoked',
  'KeyRotated',
  'SubjectErased',
  'RetentionApplied',
] as const;

const agentOf = (e: StoredEvent): string => {
  const a = e.data.agent;
  return typeof a === 'string' ? a : '';
};
const summary = (e: StoredEvent): string => {
  const d = e.data;
  if (e.type === 'RolloutStepChanged') {
    const s = (x: unknown): string => {
      const v = x as { phase?: string; percentage?: number } | undefined;
      return v?.phase === 'canary' ? `${v.percentage}%` : (v?.phase ?? '?');
    };
    return `${String(d.command)}: ${s(d.before)} → ${s(d.after)}`;
  }
  const keys = ['alias', 'version', 'key', 'action', 'result', 'kind', 'state'].filter((k) => d[k] !== undefined);
  return keys.map((k) => `${k}=${typeof d[k] === 'object' ? JSON.stringify(d[k]) : String(d[k])}`).join(' ');
};

/**
 * The audit trail with filters (type, agent, actor, text). Loaded once, then each poll asks for
 * the events after the last cursor only.
 */
export function AuditPage() {
  const trail = useRef<{ events: StoredEvent[]; next: string | null }>({ events: [], next: null });
  const [type, setType] = useState('');
  const [agent, setAgent] = useState('');
  const [actor, setActor] = useState('');
  const [text, setText] = useState('');
  const { data, error } = usePoll(async () => {
    const fresh = await readEvents(AUDIT_TYPES, trail.current.next);
    trail.current.events.push(...fresh.events);
    trail.current.next = fresh.next;
    return [...trail.current.events];
  });
  const rows = (data ?? [])
    .filter((e) => (type === '' || e.type === type) && (agent === '' || agentOf(e).includes(agent)) && (actor === '' || (e.metadata.actor ?? '').includes(actor)))
    .filter((e) => text === '' || JSON.stringify(e).toLowerCase().includes(text.toLowerCase()))
    .reverse()
    .slice(0, 500);
  const input = (set: (v: string) => void) => (e: Event) => set((e.target as HTMLInputElement).value);
  return (
    <section>
      <h1>Audit trail</h1>
      <div class="filters">
        <label>
          type{' '}
          <select value={type} onChange={input(setType)} data-testid="audit-type">
            <option value="">all control events</option>
            {AUDIT_TYPES.map((t) => (
              <option key={t} value={t}>
                {t}
              </option>
            ))}
          </select>
        </label>
        <label>
          agent <input value={agent} onInput={input(setAgent)} data-testid="audit-agent" size={18} />
        </label>
        <label>
          actor <input value={actor} onInput={input(setActor)} data-testid="audit-actor" size={12} />
        </label>
        <label>
          text <input value={text} onInput={input(setText)} data-testid="audit-text" size={18} />
        </label>
        <span class="muted small">
          {rows.length} of {data?.length ?? 0} events (newest first, at most 500 shown)
        </span>
      </div>
      {error && <p class="err">{error}</p>}
      <table data-testid="audit-table">
        <thead>
          <tr>
            <th>time</th>
            <th>type</th>
            <th>agent / stream</th>
            <th>change</th>
            <th>actor</th>
            <th>reason</th>
          </tr>
        </thead>
        <tbody>
          {rows.map((e) => (
            <tr key={e.id} data-testid="audit-row">
              <td>{when(e.time)}</td>
              <td>{e.type}</td>
              <td>{agentOf(e) || e.stream}</td>
              <td class="small">{summary(e)}</td>
              <td data-testid="audit-actor-cell">{e.metadata.actor ?? '—'}</td>
              <td>{e.metadata.reason ?? '—'}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </section>
  );
}
