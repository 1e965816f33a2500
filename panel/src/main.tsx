import { render } from 'preact';
import { useEffect, useState } from 'preact/hooks';
import { api, ApiError, type Session, TOKEN_KEY } from './api.js';
import { SessionContext } from './actions.js';
import { AuditPage } from './pages/audit.js';
import { BreakersPage } from './pages/breakers.js';
import { DriftPage } from './pages/drift.js';
import { FlagsPage } from './pages/flags.js';
import { ModelsPage } from './pages/models.js';
import { Overview } from './pages/overview.js';
import { RolloutPage } from './pages/rollout.js';
import { ShadowPage } from './pages/shadow.js';
import { POLL_MS } from './poll.js';

const NAV = [
  ['#/', 'Agents'],
  ['#/shadow', 'Shadow'],
  ['#/models', 'Models'],
  ['#/flags', 'Flags'],
  ['#/breakers', 'Breakers'],
  ['#/drift', 'Drift'],
  ['#/audit', 'Audit'],
] as const;

function useHash(): string {
  const [hash, setHash] = useState(location.hash || '#/');
  useEffect(() => {
    const on = (): void => setHash(location.hash || '#/');
    addEventListener('hashchange', on);
    return () => removeEventListener('hashchange', on);
  }, []);
  return hash;
}

function Page({ hash }: { readonly hash: string }) {
  const rollout = /^#\/rollout\/([a-z0-9-]+)$/.exec(hash);
  if (rollout) return <RolloutPage agent={rollout[1]!} />;
  switch (hash) {
    case '#/shadow':
      return <ShadowPage />;
    case '#/models':
      return <ModelsPage />;
    case '#/flags':
      return <FlagsPage />;
    case '#/breakers':
      return <BreakersPage />;
    case '#/drift':
      return <DriftPage />;
    case '#/audit':
      return <AuditPage />;
    default:
      return <Overview />;
  }
}

/** Sign-in with an API token (the same bearer tokens as the API), kept in sessionStorage. */
function SignIn({ onSession, problem }: { readonly onSession: (s: Session) => void; readonly problem: string | undefined }) {
  const [value, setValue] = useState('');
  const [error, setError] = useState(problem);
  const submit = async (e: Event): Promise<void> => {
    e.preventDefault();
    sessionStorage.setItem(TOKEN_KEY, value.trim());
    try {
      onSession(await api<Session>('/api/v1/session'));
    } catch (err) {
      sessionStorage.removeItem(TOKEN_KEY);
      setError(err instanceof ApiError ? `${err.status} ${err.code}: ${err.message}` : String(err));
    }
  };
  return (
    <main class="signin">
      <form onSubmit={(e) => void submit(e)} data-testid="signin-form">
        <h1>apprentice</h1>
        <p>Sign in with an API token (create one with <code>apprentice tokens create --name you --role operator</code>).</p>
        <input type="password" placeholder="apt_…" autocomplete="off" value={value} data-testid="token-input" onInput={(e) => setValue((e.target as HTMLInputElement).value)} />
        <button type="submit" class="primary" data-testid="signin-submit">
          Sign in
        </button>
        {error && <p class="err">{error}</p>}
        <p class="muted small">The token stays in this tab (sessionStorage) and is sent as a bearer token.</p>
      </form>
    </main>
  );
}

function App() {
  const hash = useHash();
  const [session, setSession] = useState<Session | undefined>(undefined);
  const [problem, setProblem] = useState<string | undefined>(undefined);
  const [checked, setChecked] = useState(false);
  useEffect(() => {
    api<Session>('/api/v1/session')
      .then(setSession)
      .catch((e: unknown) => {
        if (e instanceof ApiError && e.status !== 401) setProblem(`${e.status} ${e.code}: ${e.message}`);
        sessionStorage.removeItem(TOKEN_KEY);
      })
      .finally(() => setChecked(true));
  }, []);
  if (!checked) return null;
  if (!session) return <SignIn onSession={setSession} problem={problem} />;
  const signOut = (): void => {
    sessionStorage.removeItem(TOKEN_KEY);
    setSession(undefined);
  };
  return (
    <SessionContext.Provider value={session}>
      <nav>
        <a href="#/" class="brand">
          apprentice
        </a>
        {NAV.map(([href, label]) => (
          <a key={href} href={href} class={hash === href ? 'active' : ''}>
            {label}
          </a>
        ))}
        <a href="/docs">API</a>
        <span class="who" data-testid="who">
          {session.name} · {session.role}
          {session.open ? ' · open mode' : ''}
        </span>
        {!session.open && (
          <button type="button" onClick={signOut} data-testid="signout">
            Sign out
          </button>
        )}
      </nav>
      <main>
        <Page hash={hash} />
      </main>
      <footer class="muted small">Live: each page polls its endpoints every {POLL_MS / 1000} s while visible.</footer>
    </SessionContext.Provider>
  );
}

render(<App />, document.getElementById('app')!);
