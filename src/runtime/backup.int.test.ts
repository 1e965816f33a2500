import { mkdtempSync, rmSync, writeFileSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync, gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PG_URL, createTestSchema, type TestSchema } from '../../test/support/services.js';
import type { DecisionData, NewEvent } from '../core/index.js';
import { decisionEvent, outcomeEvent } from '../log/events/testing/fixtures.js';
import { createSecurityRuntime } from '../security/index.js';
import { createArtifactStore } from './artifact-store.js';
import { restoreBackup, verifyBackup, writeBackup } from './backup.js';
import { createApprentice, type Apprentice } from './create-apprentice.js';

/** Every projection table, row by row, as one sha256 per table (order-independent). */
async function projectionHashes(a: Apprentice): Promise<Record<string, string>> {
  const tables = ['decisions', 'outcomes', 'agents', 'model_versions', 'model_aliases', 'shadow_results', 'flags'];
  const out: Record<string, string> = {};
  for (const t of tables) {
    const rows = await a.store.query<{ h: string | null; n: string }>(
      `SELECT md5(string_agg(md5(x::text), '' ORDER BY md5(x::text))) AS h, count(*)::text AS n FROM ${t} x`,
    );
    out[t] = `${rows[0]?.n}:${rows[0]?.h ?? ''}`;
  }
  return out;
}

// Backup → fresh database → restore → replay gives the same projections (compared row by row),
// model artifacts come back byte for byte, and an erased subject stays unreadable.
describe('backup and restore (PostgreSQL)', () => {
  const schemas: TestSchema[] = [];
  const dir = mkdtempSync(join(tmpdir(), 'apprentice-backup-'));
  let source: Apprentice;
  let target: Apprentice;
  const file = join(dir, 'backup.ndjson.gz');
  const contexts: Record<string, unknown> = {};

  const open = async (name: string): Promise<Apprentice> => {
    const schema = await createTestSchema(`bk${name}`);
    schemas.push(schema);
    const databaseUrl = `${PG_URL}?options=${encodeURIComponent(`-c search_path=${schema.schema}`)}`;
    return createApprentice({ config: { databaseUrl, dataDir: join(dir, name), logLevel: 'silent' }, projector: false });
  };

  beforeAll(async () => {
    source = await open('src');
    target = await open('dst');
    const sec = await createSecurityRuntime({ dataDir: join(dir, 'src'), env: {} });
    const events: NewEvent[] = [];
    for (let i = 0; i < 1200; i++) {
      const subject = i % 3 === 0 ? 'alice' : i % 3 === 1 ? 'bob' : undefined;
      const ctx = { linesChanged: i, author: subject ?? 'anon' };
      const ref = subject ? await sec.protector.prepare('deployment-specialist', ctx, subject) : undefined;
      const stored = sec.protector.protect('deployment-specialist', ctx, ref);
      const d = decisionEvent({ context: stored, ...(ref ? { subjectId: ref } : {}) } as Partial<DecisionData>);
      events.push(d, outcomeEvent((d.data as DecisionData).decisionId, { reward: i % 2 }));
      if (i < 6) contexts[subject ?? 'anon'] = stored;
    }
    await source.store.append(events);
    await sec.subjects.erase('bob');
    const artifacts = await createArtifactStore(source);
    await artifacts.put(new TextEncoder().encode('{"format":"learner","weights":[1,2,3]}'));
  });
  afterAll(async () => {
    await source?.close();
    await target?.close();
    for (const s of schemas) await s.drop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('writes a verified backup of the log, the artifacts and the wrapped subject keys (no master key by default)', async () => {
    const summary = await writeBackup({ store: source.store, artifacts: await createArtifactStore(source), dataDir: join(dir, 'src') }, file);
    expect(summary).toMatchObject({ events: 2400, artifacts: 1, keys: 1 }); // alice's key; bob was erased
    const end = await verifyBackup(file);
    expect(end).toMatchObject({ events: 2400, artifacts: 1, keys: 1, sha256: summary.sha256 });
    expect(gunzipSync(readFileSync(file)).toString()).not.toContain('master.json');
  });

  it('refuses a tampered backup before touching the target', async () => {
    const lines = gunzipSync(readFileSync(file)).toString().split('\n');
    const i = lines.findIndex((l) => l.includes('"actor":"test"'));
    lines[i] = lines[i]!.replace('"actor":"test"', '"actor":"mallory"');
    const bad = join(dir, 'tampered.ndjson.gz');
    writeFileSync(bad, gzipSync(lines.join('\n')));
    await expect(verifyBackup(bad)).rejects.toThrow(/checksum/);
    await expect(restoreBackup({ store: target.store, artifacts: await createArtifactStore(target), dataDir: join(dir, 'dst') }, bad)).rejects.toThrow(/checksum/);
    expect(await target.store.readAll({ limit: 1 })).toEqual([]);
  });

  it('restore into a fresh database, then replay, gives identical projections; erasure still holds', async () => {
    // The master key travels separately (here: copied by hand), never inside the backup by default.
    const keyDir = join(dir, 'dst', 'keys');
    const { mkdirSync, copyFileSync } = await import('node:fs');
    mkdirSync(keyDir, { recursive: true });
    copyFileSync(join(dir, 'src', 'keys', 'master.json'), join(keyDir, 'master.json'));
    const artifacts = await createArtifactStore(target);
    // As `apprentice restore` does: the events only, then one replay builds the projections.
    const restored = await restoreBackup({ store: target.store, artifacts, dataDir: join(dir, 'dst') }, file, { projections: false });
    expect(restored.events).toBe(2400);
    expect(await target.store.query('SELECT decision_id FROM decisions LIMIT 1')).toEqual([]);
    await source.store.replay();
    await target.store.replay();
    expect(await projectionHashes(target)).toEqual(await projectionHashes(source));
    expect([...(await (async () => { const ks: string[] = []; for await (const k of artifacts.list()) ks.push(k); return ks; })())]).toHaveLength(1);
    await expect(restoreBackup({ store: target.store, artifacts, dataDir: join(dir, 'dst') }, file)).rejects.toThrow(/empty event store/);

    const sec = await createSecurityRuntime({ dataDir: join(dir, 'dst'), env: {} });
    await expect(sec.protector.reveal(contexts.alice)).resolves.toMatchObject({ author: 'alice' });
    await expect(sec.protector.reveal(contexts.bob)).rejects.toThrow();
  });
});
