import type { Bucket, EntityState, LastN } from './aggregation.js';

/**
 * The wire form of an entity state in a shared online store (Redis), read on every online read
 * that misses the local cache. JSON of the in-memory shape repeats seven keys per bucket: a
 * state with every 30-day bucket populated is ~16 KB and JSON.parse of it took ~110 µs, most of
 * a Redis read's p99 budget. The wire form is columnar instead (one array per bucket field, the
 * latest-event times as offsets from the state's `u`), which V8 parses on its numeric-array fast
 * path: about a third of the bytes and of the parse time (bench `feature-online-read-p99-redis`).
 *
 *   {"v":2,"u":<u>,"f":{"<feature>":{"i":[..],"c":[..],"s":[..],"n":[..],"t":[..],"q":[..],"l":[..],"d":[..]?}
 *                      |"<feature>":[[time, order, value], ...]}}   (last-N windows, as in memory)
 *
 * `t` holds u - lt. JSON has no -Infinity: `u` and any `t`/`q` that is -Infinity (a state or
 * bucket without an event) is written as null. `d` (distinct values) is present only when some
 * bucket has them, with 0 for a bucket without. A state written in the old form (plain JSON of
 * the in-memory shape, no `v`) still decodes, so a rolling upgrade reads what is already stored.
 */
interface Columns {
  i: number[];
  c: number[];
  s: number[];
  n: number[];
  t: (number | null)[];
  q: (number | null)[];
  l: Bucket['lv'][];
  d?: (string[] | 0)[];
}

const finite = (x: number): number | null => (x === -Infinity ? null : x);

export function encodeState(state: EntityState): string {
  const u = state.u;
  const f: Record<string, Columns | LastN> = {};
  for (const [name, list] of Object.entries(state.f)) {
    if (list.length > 0 && Array.isArray(list[0])) {
      f[name] = list as LastN;
      continue;
    }
    const buckets = list as Bucket[];
    const cols: Columns = { i: [], c: [], s: [], n: [], t: [], q: [], l: [] };
    let distinct = false;
    for (const b of buckets) {
      cols.i.push(b.i);
      cols.c.push(b.c);
      cols.s.push(b.s);
      cols.n.push(b.n);
      cols.t.push(b.lt === -Infinity || u === -Infinity ? finite(b.lt) : u - b.lt);
      cols.q.push(finite(b.lq));
      cols.l.push(b.lv);
      if (b.d !== undefined) distinct = true;
    }
    if (distinct) cols.d = buckets.map((b) => b.d ?? 0);
    f[name] = cols;
  }
  return JSON.stringify({ v: 2, u: finite(u), f });
}

export function decodeState(text: string): EntityState {
  const raw = JSON.parse(text) as { v?: number; u: number | null; f: Record<string, Columns | LastN | Bucket[]> };
  if (raw.v !== 2) return reviveLegacy(raw as unknown as EntityState);
  const u = raw.u ?? -Infinity;
  const f: EntityState['f'] = {};
  for (const [name, value] of Object.entries(raw.f)) {
    if (Array.isArray(value)) {
      f[name] = value as LastN;
      continue;
    }
    const cols = value as Columns;
    const out: Bucket[] = new Array(cols.i.length);
    for (let k = 0; k < cols.i.length; k++) {
      const t = cols.t[k]!;
      const q = cols.q[k]!;
      // A null offset is an absent latest event (written only when lt or u was -Infinity).
      const lt = t === null ? -Infinity : u === -Infinity ? t : u - t;
      const b: Bucket = { i: cols.i[k]!, c: cols.c[k]!, s: cols.s[k]!, n: cols.n[k]!, lt, lq: q === null ? -Infinity : q, lv: cols.l[k] ?? null };
      const d = cols.d?.[k];
      if (d) b.d = d;
      out[k] = b;
    }
    f[name] = out;
  }
  return { u, f };
}

/** The old wire form: JSON of the in-memory shape, -Infinity written as null. */
function reviveLegacy(st: EntityState): EntityState {
  if (st.u === null) st.u = -Infinity;
  for (const list of Object.values(st.f)) for (const b of list) if (!Array.isArray(b) && b.lt === null) b.lt = b.lq = -Infinity;
  return st;
}
