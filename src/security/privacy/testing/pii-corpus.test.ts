import { describe, expect, it } from 'vitest';
import corpus from './pii-corpus.json' with { type: 'json' };
import { createRedactor } from '../redact.js';
import { TEXT_PII_TYPES } from '../detectors.js';

// Recall per type on the labelled corpus (a hit = the secret is gone from the output AND a
// finding of the expected type was reported), and the false-positive rate on negatives.
describe('PII corpus', () => {
  const redactor = createRedactor();

  it('has every text type and a few hundred examples', () => {
    expect(corpus.positives.length).toBeGreaterThanOrEqual(300);
    expect(new Set(corpus.positives.map((p) => p.type))).toEqual(new Set(TEXT_PII_TYPES));
  });

  it('recall >= 99% for every type', () => {
    const perType = new Map<string, { hit: number; n: number; misses: string[] }>();
    for (const p of corpus.positives) {
      const res = redactor.redactText(p.text);
      const hit = !String(res.value).includes(p.secret) && res.findings.some((f) => f.type === p.type);
      const s = perType.get(p.type) ?? { hit: 0, n: 0, misses: [] };
      s.n++;
      if (hit) s.hit++;
      else s.misses.push(p.text);
      perType.set(p.type, s);
    }
    const report = [...perType].map(
      ([type, s]) => `${type.padEnd(14)} recall ${((100 * s.hit) / s.n).toFixed(1)}% (${s.hit}/${s.n})`,
    );
    console.log(`PII corpus recall:\n  ${report.join('\n  ')}`);
    for (const [type, s] of perType) {
      expect({ type, recall: s.hit / s.n, misses: s.misses }).toEqual({
        type,
        recall: expect.any(Number),
        misses: s.misses,
      });
      expect(s.hit / s.n, `${type} misses: ${s.misses.join(' | ')}`).toBeGreaterThanOrEqual(0.99);
    }
  });

  it('reports the false-positive rate on negatives (versions, dates, SHAs, paths, UUIDs, durations...)', () => {
    const flagged = corpus.negatives.filter((n) => redactor.redactText(n.text).findings.length > 0);
    const rate = flagged.length / corpus.negatives.length;
    console.log(
      `PII corpus false positives: ${flagged.length}/${corpus.negatives.length} (${(100 * rate).toFixed(1)}%)`,
    );
    for (const f of flagged) console.log(`  FP ${f.kind}: ${f.text}`);
    expect(rate).toBeLessThanOrEqual(0.02);
  });

  it('never flags commit SHAs, digests or UUIDs (documented decision: identifiers, not secrets)', () => {
    for (const kind of ['commit_sha', 'digest', 'uuid']) {
      for (const n of corpus.negatives.filter((x) => x.kind === kind)) {
        expect(redactor.redactText(n.text).findings).toEqual([]);
      }
    }
  });
});
