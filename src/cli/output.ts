import { isApprenticeError, type FieldIssue } from '../core/index.js';

/** Print data as JSON (`--json`) or as aligned text. */
export function print(data: unknown, json: boolean, text: () => string): void {
  process.stdout.write(json ? `${JSON.stringify(data, (_k, v: unknown) => (typeof v === 'bigint' ? v.toString() : v), 2)}\n` : `${text()}\n`);
}

/** Report a failure on stderr and return the exit code: 2 for bad input/config, 1 otherwise. */
export function fail(err: unknown): number {
  if (isApprenticeError(err)) {
    process.stderr.write(`error [${err.code}]: ${err.message}\n`);
    const issues = (err as { issues?: readonly FieldIssue[] }).issues ?? [];
    for (const i of issues) process.stderr.write(`  - ${i.path || '(root)'}: ${i.message}\n`);
    return err.code === 'VALIDATION_FAILED' || err.code === 'CONFIG_INVALID' ? 2 : 1;
  }
  process.stderr.write(`error: ${err instanceof Error ? err.message : String(err)}\n`);
  return 1;
}

/** Replace the password of a connection string with `***`. */
export function redactUrl(url: string | undefined): string | undefined {
  if (!url) return url;
  try {
    const u = new URL(url);
    if (u.password) u.password = '***';
    return u.toString();
  } catch {
    return '(invalid url)';
  }
}

export function table(rows: readonly (readonly string[])[]): string {
  const widths = rows.reduce<number[]>((w, r) => r.map((c, i) => Math.max(w[i] ?? 0, c.length)), []);
  return rows.map((r) => r.map((c, i) => c.padEnd(widths[i]!)).join('  ').trimEnd()).join('\n');
}
