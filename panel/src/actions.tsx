import { createContext } from 'preact';
import { useContext, useState } from 'preact/hooks';
import { allows, api, ApiError, type Role, type Session } from './api.js';

export const SessionContext = createContext<Session>({ name: '', role: 'viewer', open: false });

export interface ActionSpec {
  /** Button text, e.g. `Roll back`. */
  readonly label: string;
  /** The question of the confirmation, e.g. `Roll back deployment-specialist to its rules?` */
  readonly confirm: string;
  /** Least role that may act (the route's role in ROUTE_ROLES). */
  readonly role: Role;
  readonly method: 'POST' | 'PUT';
  readonly path: string;
  /** The request body, given the reason typed in the confirmation. */
  readonly body: (reason: string) => unknown;
  /** Whether the reason is required (alias moves). Default false. */
  readonly reasonRequired?: boolean;
  readonly danger?: boolean;
  readonly testId: string;
  readonly onDone?: () => void;
}

/**
 * A control action: a button shown only to a role that may take it, a confirmation that asks
 * for a reason, then the request. The server records the caller (the token's name) as the
 * actor and enforces the role whatever this page shows.
 */
export function ActionButton({ spec }: { readonly spec: ActionSpec }) {
  const session = useContext(SessionContext);
  const [open, setOpen] = useState(false);
  const [reason, setReason] = useState('');
  const [busy, setBusy] = useState(false);
  const [result, setResult] = useState<{ ok: boolean; text: string } | undefined>(undefined);
  if (!allows(session.role, spec.role)) return null;
  const submit = async (e: Event): Promise<void> => {
    e.preventDefault();
    setBusy(true);
    try {
      await api(spec.path, { method: spec.method, body: spec.body(reason.trim()) });
      setResult({ ok: true, text: `${spec.label}: done (recorded as ${session.name})` });
      setOpen(false);
      setReason('');
      spec.onDone?.();
    } catch (err) {
      setResult({ ok: false, text: err instanceof ApiError ? `${err.status} ${err.code}: ${err.message}` : String(err) });
    } finally {
      setBusy(false);
    }
  };
  return (
    <span class="action">
      <button type="button" class={spec.danger ? 'danger' : ''} data-testid={spec.testId} onClick={() => setOpen(true)}>
        {spec.label}
      </button>
      {result && (
        <span class={result.ok ? 'ok' : 'err'} role="status">
          {result.text}
        </span>
      )}
      {open && (
        <div class="modal" role="dialog" aria-modal="true" data-testid="confirm-dialog">
          <form onSubmit={(e) => void submit(e)}>
            <p>{spec.confirm}</p>
            <label>
              Reason {spec.reasonRequired ? '(required)' : '(optional)'}
              <input
                data-testid="confirm-reason"
                value={reason}
                required={spec.reasonRequired ?? false}
                maxLength={500}
                onInput={(e) => setReason((e.target as HTMLInputElement).value)}
              />
            </label>
            <p class="muted">Recorded in the audit trail as {session.name}.</p>
            <div class="buttons">
              <button type="button" onClick={() => setOpen(false)} disabled={busy}>
                Cancel
              </button>
              <button type="submit" class={spec.danger ? 'danger' : 'primary'} data-testid="confirm-ok" disabled={busy}>
                Confirm
              </button>
            </div>
          </form>
        </div>
      )}
    </span>
  );
}
