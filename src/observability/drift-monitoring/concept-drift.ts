import { EventType, type NewEvent, uuidv7 } from '../../core/index.js';
import { normalTwoSided } from '../drift/index.js';
import { onCollect, type Disposer, type Metrics } from '../metrics/index.js';
import { driftStream } from './drift-event.js';
import type { EventSink } from './types.js';

/**
 * One outcome of a decision the model served, scored for the served answer and for the rules'
 * answer on the same outcome (label: 1 right / 0 wrong; value: −|error|). Higher is better.
 */
export interface ConceptOutcome {
  readonly model: number;
  readonly rules: number;
  readonly modelVersion: number | undefined;
}

/** A one-sided test "the model is worse": its statistic and p-value. */
export interface ConceptTest {
  readonly z: number;
  readonly pValue: number;
}

/** Payload of `DriftDetected` of kind `concept`: the served version's quality dropped on live outcomes. */
export interface ConceptDriftDetectedData {
  readonly agent: string;
  readonly kind: 'concept';
  readonly modelVersion: number | null;
  /** Which comparison fired: against the registration-time quality, the rules on the same outcomes, or both. */
  readonly trigger: 'registration' | 'rules' | 'both';
  /** Served outcomes in the rolling window the tests ran on. */
  readonly outcomes: number;
  readonly model: number;
  readonly rules: number;
  /** Registration-time quality of the version (null when the registry has none). */
  readonly registration: number | null;
  /** model − rules on the same outcomes, and model − registration (negative: worse). */
  readonly gapToRules: number;
  readonly gapToRegistration: number | null;
  /** Paired one-sided z-test of mean(model − rules) < 0. */
  readonly rulesTest: ConceptTest;
  /** One-sided z-test of mean(model) < registration − minDrop (null without a registration quality). */
  readonly registrationTest: ConceptTest | null;
  readonly alpha: number;
  readonly minDrop: number;
  readonly detectedAt: string;
}

export type ConceptDriftMetrics = Pick<Metrics, 'conceptDriftDetectedTotal' | 'conceptQualityGap'>;

export interface ConceptDriftOptions {
  /** Where `DriftDetected` events go (`apprentice.writer`). */
  readonly writer: EventSink;
  /** Counter and gauge to feed. Default: none. */
  readonly metrics?: ConceptDriftMetrics;
  /** Registration-time quality of a version on the score scale (accuracy; −MAE). Default: none. */
  readonly registrationQuality?: (agent: string, version: number) => number | undefined;
  /** Called once per drifted version, after its event was handed to the writer: hold or roll back. */
  readonly onConceptDrift?: (agent: string, data: ConceptDriftDetectedData) => void;
  /** Served outcomes in the rolling window. Default 100 (about 40 s of a 5% canary at 50 decisions/s). */
  readonly window?: number;
  /** Outcomes needed before the tests run. Default 30. */
  readonly minOutcomes?: number;
  /** One-sided level of each test. Default 0.01. */
  readonly alpha?: number;
  /** Drop below the registration quality that counts (score units: 0.05 = 5 accuracy points). Default 0.05. */
  readonly minDrop?: number;
  readonly clock?: () => number;
  /** Errors of `onConceptDrift`. Default: ignore. */
  readonly onError?: (error: unknown) => void;
}

/** P(Z ≤ z), lower tail of the standard normal. */
const lowerTail = (z: number): number => (z === -Infinity ? 0 : z < 0 ? normalTwoSided(z) / 2 : 1 - normalTwoSided(z) / 2);

/** One-sided test of mean(xs) < mu0, with the sample standard deviation. */
function lowerTest(sum: number, sumSq: number, n: number, mu0: number): ConceptTest {
  const mean = sum / n;
  const variance = Math.max(0, (sumSq / n - mean * mean) * (n / (n - 1)));
  const z = variance > 0 ? (mean - mu0) / Math.sqrt(variance / n) : mean < mu0 ? -Infinity : mean > mu0 ? Infinity : 0;
  return { z, pValue: lowerTail(z) };
}

class Window {
  readonly model: number[] = [];
  readonly diff: number[] = [];
  drifted = false;
  constructor(readonly version: number | undefined) {}
  push(o: ConceptOutcome, size: number): void {
    this.model.push(o.model);
    this.diff.push(o.model - o.rules);
    if (this.model.length > size) {
      this.model.shift();
      this.diff.shift();
    }
  }
}

const sums = (xs: readonly number[]): [number, number] => {
  let s = 0;
  let q = 0;
  for (const x of xs) {
    s += x;
    q += x * x;
  }
  return [s, q];
};

/**
 * Concept drift: the served model's rolling quality on live outcomes against its
 * registration-time quality and against the rules on the same outcomes. Concept drift moves no
 * feature, so feature drift cannot see it. A significant drop emits `DriftDetected` of kind
 * `concept` with its evidence (once per served version; a new version starts a fresh window),
 * counts `apprentice_concept_drift_detected_total` and calls `onConceptDrift`.
 *
 * @example
 * const concept = new ConceptDriftMonitor({ writer: a.writer, metrics: a.metrics, onConceptDrift: (agent) => rollback(agent) });
 * concept.observe('debugger', { model: 0, rules: 1, modelVersion: 3 });
 */
export class ConceptDriftMonitor {
  readonly #o: ConceptDriftOptions;
  readonly #windows = new Map<string, Window>();
  readonly #dispose: Disposer | undefined;

  constructor(options: ConceptDriftOptions) {
    this.#o = options;
    const g = options.metrics?.conceptQualityGap;
    this.#dispose = g
      ? onCollect(g as never, () => {
          g.reset();
          for (const [agent] of this.#windows) {
            const s = this.status(agent);
            if (!s) continue;
            g.set({ agent, reference: 'rules' }, s.gapToRules);
            if (s.gapToRegistration !== null) g.set({ agent, reference: 'registration' }, s.gapToRegistration);
          }
        })
      : undefined;
  }

  get #size(): number {
    return this.#o.window ?? 100;
  }
  get #min(): number {
    return this.#o.minOutcomes ?? 30;
  }
  get #alpha(): number {
    return this.#o.alpha ?? 0.01;
  }
  get #minDrop(): number {
    return this.#o.minDrop ?? 0.05;
  }

  /** Feeds one served outcome of `agent`; a different model version than the window's starts a new window. */
  observe(agent: string, o: ConceptOutcome): void {
    if (!Number.isFinite(o.model) || !Number.isFinite(o.rules)) return;
    let w = this.#windows.get(agent);
    if (!w || w.version !== o.modelVersion) {
      w = new Window(o.modelVersion);
      this.#windows.set(agent, w);
    }
    w.push(o, this.#size);
    if (w.drifted) return;
    const data = this.#judge(agent, w);
    if (!data) return;
    w.drifted = true;
    this.#o.writer.record(conceptDriftEvent(data, Date.parse(data.detectedAt)));
    this.#o.metrics?.conceptDriftDetectedTotal.inc({ agent });
    try {
      this.#o.onConceptDrift?.(agent, data);
    } catch (e) {
      this.#o.onError?.(e);
    }
  }

  /** The window's figures (tests included) once it has the minimum outcomes, else undefined. */
  status(agent: string): (Omit<ConceptDriftDetectedData, 'trigger'> & { drifting: boolean }) | undefined {
    const w = this.#windows.get(agent);
    const n = w?.model.length ?? 0;
    if (!w || n < this.#min) return undefined;
    const [ms, mq] = sums(w.model);
    const [ds, dq] = sums(w.diff);
    const model = ms / n;
    const gapToRules = ds / n;
    const registration = w.version === undefined ? undefined : this.#o.registrationQuality?.(agent, w.version);
    const hasReg = registration !== undefined && Number.isFinite(registration);
    return {
      agent,
      kind: 'concept',
      modelVersion: w.version ?? null,
      outcomes: n,
      model,
      rules: model - gapToRules,
      registration: hasReg ? registration : null,
      gapToRules,
      gapToRegistration: hasReg ? model - registration : null,
      rulesTest: lowerTest(ds, dq, n, 0),
      registrationTest: hasReg ? lowerTest(ms, mq, n, registration - this.#minDrop) : null,
      alpha: this.#alpha,
      minDrop: this.#minDrop,
      detectedAt: new Date((this.#o.clock ?? Date.now)()).toISOString(),
      drifting: w.drifted,
    };
  }

  #judge(agent: string, _w: Window): ConceptDriftDetectedData | undefined {
    const s = this.status(agent);
    if (!s) return undefined;
    const byRules = s.rulesTest.pValue < s.alpha;
    const byReg = s.registrationTest !== null && s.registrationTest.pValue < s.alpha;
    if (!byRules && !byReg) return undefined;
    const { drifting: _d, ...rest } = s;
    return { ...rest, trigger: byRules && byReg ? 'both' : byRules ? 'rules' : 'registration' };
  }

  close(): void {
    this.#dispose?.();
  }
}

const r3 = (x: number): string => (Math.round(x * 1000) / 1000).toFixed(3);
const p1 = (p: number): string => (p < 0.001 ? p.toExponential(1) : r3(p));

/** Why the event was recorded, in words with rounded numbers. */
export function describeConceptDrift(d: ConceptDriftDetectedData): string {
  const parts: string[] = [];
  if (d.trigger !== 'registration')
    parts.push(`model ${r3(d.model)} vs rules ${r3(d.rules)} on the same ${d.outcomes} outcomes (paired z ${r3(d.rulesTest.z)}, p ${p1(d.rulesTest.pValue)} < ${d.alpha})`);
  if (d.trigger !== 'rules' && d.registrationTest && d.registration !== null)
    parts.push(`model ${r3(d.model)} vs ${r3(d.registration)} at registration, more than ${d.minDrop} below (z ${r3(d.registrationTest.z)}, p ${p1(d.registrationTest.pValue)} < ${d.alpha})`);
  return `concept drift of version ${d.modelVersion ?? '?'}: ${parts.join('; ')}`;
}

/** The `DriftDetected` event of kind `concept` (stream `drift-<agent>`). */
export function conceptDriftEvent(d: ConceptDriftDetectedData, now: number): NewEvent<typeof EventType.DriftDetected, ConceptDriftDetectedData> {
  return {
    id: uuidv7(now),
    type: EventType.DriftDetected,
    stream: driftStream(d.agent),
    data: d,
    metadata: { actor: 'drift-monitor', reason: describeConceptDrift(d) },
    time: new Date(now).toISOString(),
  };
}
