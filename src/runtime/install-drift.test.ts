import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { EventType } from '../core/events.js';
import { buildReference, type MonitorReport } from '../observability/drift/index.js';
import { normals } from '../observability/drift/testing/generate.js';
import { createApprentice, type Apprentice } from './create-apprentice.js';
import { buildServer } from '../server/app.js';
import type { DriftDetectedData } from '../observability/drift-monitoring/drift-event.js';
import { installDrift, type InstalledDrift } from './install-drift.js';
import type { AgentDriftStatus } from '../observability/drift-monitoring/types.js';

const WINDOW = 200;

describe('installDrift (embedded apprentice, HTTP)', () => {
  let dir: string;
  let a: Apprentice;
  let drift: InstalledDrift;
  let app: FastifyInstance;
  const held: [string, boolean][] = [];

  const record = (agent: string, n: number, seed: number, shift = 0) => {
    const x = normals(n, seed, shift);
    const y = normals(n, seed + 1, shift);
    for (let i = 0; i < n; i++) {
      a.writer.recordDecision({
        agent,
        unitId: `unit-${seed}-${i}`,
        value: 'canary',
        source: 'deterministic',
        reason: 'RULES',
        variant: 'deterministic',
        propensity: 1,
        latencyMs: 1,
        features: { linesChanged: x[i]!, filesChanged: y[i]!, area: i % 3 === 0 ? 'api' : 'ui' },
      });
    }
  };
  const appended = async () => {
    await a.writer.flush();
    await a.projector?.drainOnce();
  };

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'apprentice-drift-'));
    a = await createApprentice({ config: { dataDir: dir } });
    // History before the install is not re-judged (from: 'now').
    record('historian', WINDOW, 1);
    await appended();
    drift = await installDrift(a, {
      referenceFor: (agent) =>
        Promise.resolve(
          agent === 'deployment-specialist'
            ? {
                modelVersion: 7,
                features: {
                  linesChanged: buildReference(normals(600, 11)),
                  filesChanged: buildReference(normals(600, 12)),
                  area: buildReference(Array.from({ length: 600 }, (_, i) => (i % 3 === 0 ? 'api' : 'ui'))),
                },
              }
            : undefined,
        ),
      onDrift: (agent, report: MonitorReport) => void held.push([agent, report.datasetDrift]),
      pollIntervalMs: 5,
      service: { windowSize: WINDOW },
    });
    app = await buildServer(a, drift.server);
  });
  afterAll(async () => {
    await app.close();
    await drift.stop();
    await drift.stop();
    await a.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('follows decisions appended to the store, detects drift, holds, exports it and records DriftDetected', async () => {
    record('deployment-specialist', 1, 100);
    await appended();
    await vi.waitFor(() => expect(drift.service.status('deployment-specialist')?.reference.source).toBe('model'));
    record('deployment-specialist', WINDOW, 101); // the first decision arrived before the reference: not in a window
    record('deployment-specialist', WINDOW, 102, 1.5);
    await appended();
    await vi.waitFor(() => expect(drift.service.isDrifting('deployment-specialist')).toBe(true));
    expect(held).toEqual([['deployment-specialist', true]]);
    expect(drift.service.status('historian')).toBeUndefined();

    const metrics = (await app.inject({ method: 'GET', url: '/metrics' })).body;
    expect(metrics).toContain('apprentice_dataset_drift_detected{agent="deployment-specialist"} 1');
    expect(metrics).toContain('apprentice_feature_drift_detected{agent="deployment-specialist",feature="linesChanged"} 1');
    expect(metrics).toContain('apprentice_feature_drift_detected{agent="deployment-specialist",feature="area"} 0');
    expect(metrics).toMatch(/apprentice_feature_completeness_ratio\{agent="deployment-specialist",feature="area"\} 1\n/);

    await appended();
    const events = await a.store.readAll({ types: [EventType.DriftDetected] });
    expect(events).toHaveLength(1);
    const data = events[0]!.data as DriftDetectedData;
    expect(data).toMatchObject({ agent: 'deployment-specialist', after: { datasetDrift: true }, reference: { source: 'model', modelVersion: 7 } });
    expect(data.features['linesChanged']).toMatchObject({ method: 'ks', threshold: 0.05, drifted: true });
  });

  it('GET /api/v1/drift?agent= returns the per-feature report and feature quality', async () => {
    const r = await app.inject({ method: 'GET', url: '/api/v1/drift?agent=deployment-specialist' });
    expect(r.statusCode).toBe(200);
    const s = r.json() as AgentDriftStatus;
    expect(s).toMatchObject({ agent: 'deployment-specialist', phase: 'monitoring', drifting: true, reference: { source: 'model', modelVersion: 7, features: 3 } });
    expect(s.report?.features['filesChanged']).toMatchObject({ method: 'ks', drifted: true });
    expect(s.report?.datasetDrift).toBe(true);
    expect(Object.keys(s.quality).sort()).toEqual(['area', 'filesChanged', 'linesChanged']);
  });

  it('GET /api/v1/drift lists every agent; an agent without a training reference says it is collecting', async () => {
    record('debugger', 3, 300);
    await appended();
    await vi.waitFor(() => expect(drift.service.status('debugger')).toBeDefined());
    const r = await app.inject({ method: 'GET', url: '/api/v1/drift' });
    expect(r.statusCode).toBe(200);
    const { agents } = r.json() as { agents: AgentDriftStatus[] };
    expect(agents.map((s) => s.agent).sort()).toEqual(['debugger', 'deployment-specialist']);
    const debuggerStatus = agents.find((s) => s.agent === 'debugger')!;
    expect(debuggerStatus).toMatchObject({ phase: 'collecting', report: null, reference: { source: 'none' } });
    expect(debuggerStatus.reference.note).toMatch(/first 200 decisions/);
  });

  it('answers 404 for an unknown agent and 400 for a bad query, as problem+json', async () => {
    const missing = await app.inject({ method: 'GET', url: '/api/v1/drift?agent=nobody' });
    expect(missing.statusCode).toBe(404);
    expect(missing.headers['content-type']).toMatch(/application\/problem\+json/);
    const bad = await app.inject({ method: 'GET', url: '/api/v1/drift?agent=Not_An_Agent' });
    expect(bad.statusCode).toBe(400);
    const extra = await app.inject({ method: 'GET', url: '/api/v1/drift?agnt=x' });
    expect(extra.statusCode).toBe(400);
  });
});
