import { useEffect, useRef, useState } from 'preact/hooks';

/**
 * Live data by polling: `load` runs now and then every `POLL_MS` while the tab is visible (a
 * hidden tab costs nothing). One page polls its own few GET endpoints, so a rollout step shows
 * within POLL_MS + one request.
 */
export const POLL_MS = 1000;

export interface Polled<T> {
  readonly data: T | undefined;
  readonly error: string | undefined;
  /** Load again now (after an action). */
  readonly refresh: () => void;
}

export function usePoll<T>(load: () => Promise<T>, deps: readonly unknown[] = []): Polled<T> {
  const [data, setData] = useState<T | undefined>(undefined);
  const [error, setError] = useState<string | undefined>(undefined);
  const [tick, setTick] = useState(0);
  const loadRef = useRef(load);
  loadRef.current = load;
  useEffect(() => {
    let alive = true;
    let timer: ReturnType<typeof setTimeout> | undefined;
    const run = async (): Promise<void> => {
      if (document.visibilityState === 'visible') {
        try {
          const d = await loadRef.current();
          if (alive) {
            setData(d);
            setError(undefined);
          }
        } catch (e) {
          if (alive) setError(e instanceof Error ? e.message : String(e));
        }
      }
      if (alive) timer = setTimeout(() => void run(), POLL_MS);
    };
    void run();
    return () => {
      alive = false;
      if (timer) clearTimeout(timer);
    };
  }, [...deps, tick]);
  return { data, error, refresh: () => setTick((t) => t + 1) };
}
