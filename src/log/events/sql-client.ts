/**
 * The little SQL surface both event store adapters provide, so the store itself is one
 * piece of code over PostgreSQL (`pg`) and PGlite.
 */
export interface SqlExecutor {
  query<R extends Record<string, unknown> = Record<string, unknown>>(
    sql: string,
    params?: readonly unknown[],
  ): Promise<R[]>;
  /** Run several statements separated by `;` (migrations). No parameters. */
  exec(sql: string): Promise<void>;
  /**
   * Run `COPY ... FROM STDIN` fed with `rows` (lines in COPY text format, each ending in `\n`).
   * Absent where the client cannot stream COPY data (PGlite): callers insert instead.
   */
  copyFrom?(sql: string, rows: Iterable<string>): Promise<void>;
}

export interface SqlClient extends SqlExecutor {
  /** Run `fn` in one transaction; commit if it resolves, roll back if it rejects. */
  transaction<T>(fn: (tx: SqlExecutor) => Promise<T>): Promise<T>;
  close(): Promise<void>;
  /**
   * Follow a notification channel (PostgreSQL LISTEN) on a dedicated connection. `onState`
   * reports whether notifications are being received (false while reconnecting).
   * Absent where the client has no such channel.
   */
  listen?(channel: string, onNotify: (payload: string) => void, onState: (listening: boolean) => void): () => Promise<void>;
}
