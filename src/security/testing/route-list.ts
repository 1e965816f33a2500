import type { FastifyInstance } from 'fastify';

/** Every `METHOD /pattern` a built server has, parsed from `printRoutes` (HEAD omitted). */
export function listRoutes(app: FastifyInstance): { method: string; url: string }[] {
  const out: { method: string; url: string }[] = [];
  const stack: string[] = [];
  for (const line of app.printRoutes({ commonPrefix: false }).split('\n')) {
    const m = /^([│├└─\s]*)(\S.*?)\s+\(([A-Z, ]+)\)\s*$/.exec(line) ?? /^([│├└─\s]*)(\S.*?)\s*$/.exec(line);
    if (!m || m[2] === undefined || m[2] === '') continue;
    const depth = Math.floor(m[1]!.length / 4);
    stack.length = depth;
    const parent = depth > 0 ? (stack[depth - 1] ?? '') : '';
    const full = parent + m[2];
    stack[depth] = full;
    for (const method of (m[3] ?? '')
      .split(',')
      .map((s) => s.trim())
      .filter((s) => s !== '' && s !== 'HEAD'))
      out.push({ method, url: full });
  }
  return out;
}
