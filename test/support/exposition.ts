/**
 * The value of one sample of a Prometheus text exposition (what a scrape of /metrics returns):
 * the series `name` whose labels are exactly `labels`, or undefined when there is none. Tests
 * read the numbers a user would see, not the metric objects behind them.
 */
export function sample(text: string, name: string, labels: Record<string, string>): number | undefined {
  const want = Object.entries(labels).map(([k, v]) => `${k}="${v}"`);
  for (const line of text.split('\n')) {
    const m = /^([a-zA-Z_:][a-zA-Z0-9_:]*)\{(.*)\} (\S+)$/.exec(line);
    if (!m || m[1] !== name) continue;
    const have = m[2]!.split(',');
    if (want.every((w) => have.includes(w)) && have.length === want.length) return Number(m[3]);
  }
  return undefined;
}
