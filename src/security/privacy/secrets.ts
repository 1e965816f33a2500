/** What replaces a secret in logs and messages. */
export const MASK = '***';

const PASSWORD_PARAMS =
  /^(?:password|passwd|pwd|pass|sslpassword|secret|token|api[_-]?key|access[_-]?token|auth)$/i;

/**
 * A connection string with its password (and password-like query parameters) masked, for
 * logs and error messages. Handles URLs (`postgres://u:p@h/db?password=x`) and libpq
 * key/value strings (`host=h password=p`). Unparseable input is masked by pattern.
 * @example
 * redactConnectionString('postgres://app:s3cret@db:5432/prod'); // 'postgres://app:***@db:5432/prod'
 */
export function redactConnectionString(connection: string): string {
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(connection)) {
    try {
      const url = new URL(connection);
      if (url.password !== '') url.password = MASK;
      for (const key of [...url.searchParams.keys()]) {
        if (PASSWORD_PARAMS.test(key)) url.searchParams.set(key, MASK);
      }
      // URL escapes '*' in no component we touch, but keep the literal mask readable
      return url.toString().replaceAll('%2A%2A%2A', MASK);
    } catch {
      // fall through to pattern masking
    }
  }
  return connection
    .replace(/(\/\/[^:/@\s]*:)[^@\s]*@/g, `$1${MASK}@`)
    .replace(
      /\b(password|passwd|pwd|sslpassword)\s*=\s*(?:'(?:[^'\\]|\\.)*'|"[^"]*"|[^\s;&]*)/gi,
      `$1=${MASK}`,
    );
}

/**
 * Replaces every occurrence of each known secret (and its URL-encoded and base64 forms) with
 * `***`. Secrets shorter than `minLength` (default 4) are ignored: masking "a" would
 * destroy the text and reveal the secret's length and positions.
 * @example
 * scrubSecrets('connect with token abc123xyz', ['abc123xyz']); // 'connect with token ***'
 */
export function scrubSecrets(text: string, knownSecrets: Iterable<string>, minLength = 4): string {
  const forms = new Set<string>();
  for (const s of knownSecrets) {
    if (typeof s !== 'string' || s.length < minLength) continue;
    forms.add(s);
    forms.add(encodeURIComponent(s));
    forms.add(Buffer.from(s).toString('base64').replace(/=+$/, ''));
  }
  const ordered = [...forms].filter((f) => f.length >= minLength).sort((a, b) => b.length - a.length);
  let out = text;
  for (const f of ordered) out = out.split(f).join(MASK);
  return out;
}
