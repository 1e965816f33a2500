/**
 * Privacy costs on the write path: redacting a typical decision context, and envelope
 * encryption of one. DESIGN.md sets no target for these; the targets below are this
 * suite's own budget (the redactor runs off the hot path, in the writer/projector).
 */
import { randomBytes } from 'node:crypto';
import { fig, measureSync, type BenchSuite, type Figure } from './harness.js';
import { createEnvelopeEncryptor, createKeyring, createRedactor } from '../src/security/privacy/index.js';

const context = {
  task: 'Review PR #4521: fix login redirect for ada.lovelace@example.com',
  files: ['src/auth/login.ts', 'src/auth/session.ts', 'test/auth/login.test.ts'],
  diffStats: { added: 120, removed: 43, commits: ['9fceb02d0ae598e95dc970b74767f19372d61af8'] },
  log: 'GET /api/v1/login 502 from 203.0.113.9 in 1532ms; retry with Authorization: Bearer 8kD9sPq2LmZx7RtV4nBw1YcJ',
  notes: 'Customer called +44 20 7946 0958. Deploy node 20.11.1 to staging on 2026-01-15. '.repeat(4),
  labels: ['bug', 'auth', 'p1'],
};

const suite: BenchSuite = {
  name: 'privacy',
  figures: ['redact-context', 'envelope-encrypt'],
  async run(only) {
    const out: Figure[] = [];
    const bytes = JSON.stringify(context).length;
    if (only === undefined || only === 'privacy' || only === 'redact-context') {
      const redactor = createRedactor();
      const s = measureSync(() => redactor.redact(context), { iterations: 5_000, warmup: 1_000 });
      out.push(
        fig({
          name: 'redact-context',
          value: s.p99,
          unit: 'µs p99',
          target: '<= 250',
          ok: s.p99 <= 250,
          note: `${bytes} B context, p50 ${s.p50.toFixed(1)} µs`,
        }),
      );
    }
    if (only === undefined || only === 'privacy' || only === 'envelope-encrypt') {
      const enc = createEnvelopeEncryptor(
        createKeyring({ keys: [{ id: 'k1', key: randomBytes(32), createdAt: new Date().toISOString() }] }),
      );
      const s = measureSync(() => enc.encrypt(context), { iterations: 5_000, warmup: 1_000 });
      out.push(
        fig({
          name: 'envelope-encrypt',
          value: s.p99,
          unit: 'µs p99',
          target: '<= 100',
          ok: s.p99 <= 100,
          note: `${bytes} B context, p50 ${s.p50.toFixed(1)} µs`,
        }),
      );
    }
    return out;
  },
};
export default suite;
