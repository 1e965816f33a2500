import { z } from 'zod';
import { ValidationError } from '../../core/index.js';
import { AGENT_NAME_RE } from '../validate.js';

/** Sliding time windows a feature may aggregate over, in milliseconds. */
export const TIME_WINDOWS = { '1h': 3_600_000, '1d': 86_400_000, '7d': 7 * 86_400_000, '30d': 30 * 86_400_000 } as const;
export type TimeWindow = keyof typeof TIME_WINDOWS;

/**
 * Buckets per time window: a window of width W keeps `WINDOW_BUCKETS` buckets of W/60 each
 * (1 h → 1 min, 1 d → 24 min, 7 d → 2.8 h, 30 d → 12 h), so a read is O(60) whatever the
 * traffic. The window is bucket-aligned: as of time t it holds the events before t whose bucket
 * is one of the 60 ending with t's bucket (the oldest bucket may reach up to W/60 further back).
 */
export const WINDOW_BUCKETS = 60;

/** Largest `last` N of a last-N window. */
export const MAX_LAST_N = 1000;

export const Aggregation = {
  COUNT: 'count',
  SUM: 'sum',
  MEAN: 'mean',
  LAST: 'last',
  DISTINCT_COUNT: 'distinct_count',
  /** Events per hour over a time window. */
  RATE: 'rate',
} as const;
export type Aggregation = (typeof Aggregation)[keyof typeof Aggregation];

export type FeatureWindow = TimeWindow | { readonly last: number };

/** One aggregated feature of a view. */
export interface ViewFeature {
  readonly name: string;
  readonly aggregation: Aggregation;
  /**
   * Dotted path of the aggregated value in the input (decisions: the `DecisionMade` data, e.g.
   * `value`, `features.linesChanged`; outcomes: the `OutcomeRecorded` data, e.g. `reward`,
   * `label`; other types: their data). Events where it is absent are ignored by this feature.
   * Needed by sum, mean, last and distinct_count; optional for count and rate.
   */
  readonly field?: string;
  /** Turns the field into 1 (equal) or 0 (present but different): a mean of it is a rate of success. */
  readonly equals?: string | number | boolean;
  readonly window: FeatureWindow;
}

/** What a view reads from the log. */
export interface ViewSource {
  /** `decisions` (DecisionMade), `outcomes` (OutcomeRecorded, joined to their decision), or any event type. */
  readonly events: string;
  /** Only events of this agent (`data.agent`). */
  readonly agent?: string;
}

/**
 * A feature view (Feast's term): features of one entity (an author, a repo, a service),
 * aggregated over the event log, served online and joined point-in-time for training.
 * @example
 * parseFeatureView({
 *   name: 'author-reliability', entity: 'author', entityPath: 'context.author',
 *   source: { events: 'outcomes', agent: 'code-reviewer' },
 *   features: [
 *     { name: 'approve_rate_30d', aggregation: 'mean', field: 'label', equals: 'approve', window: '30d' },
 *     { name: 'reviews_last_20', aggregation: 'count', window: { last: 20 } },
 *   ],
 * });
 */
export interface FeatureViewDefinition {
  readonly name: string;
  readonly description?: string;
  /** Name of the entity key, e.g. `author` (the API's `{entity}` is one of its values). */
  readonly entity: string;
  /**
   * Where the entity's id is, as a dotted path: for decisions and outcomes in the decision's data
   * (e.g. `context.author`, `features.repo`, `unitId`), for other types in the event's data.
   */
  readonly entityPath: string;
  readonly source: ViewSource;
  readonly features: readonly ViewFeature[];
  /** An entity not updated for this long is dropped from the online store. Default 30 days. */
  readonly ttlSeconds: number;
  /**
   * Reads while the online store is being rebuilt after a loss (Redis restarted empty):
   * `stale` serves the last values this instance saw, flagged stale; `missing` serves nothing
   * (the model's defaults apply). Default `stale`.
   */
  readonly onLoss: 'stale' | 'missing';
}

/** A stored view: the definition plus its version (1, 2, ...) and when it was set. */
export interface VersionedFeatureView extends FeatureViewDefinition {
  readonly version: number;
  readonly updatedAt: string;
}

export const DEFAULT_VIEW_TTL_SECONDS = 30 * 86_400;

const PATH_RE = /^[A-Za-z_$][\w$-]*(\.[A-Za-z_$][\w$-]*)*$/;
const FEATURE_NAME_RE = /^[a-z][a-z0-9_]{0,62}$/;

const WindowSchema = z.union([
  z.enum(['1h', '1d', '7d', '30d']),
  z.object({ last: z.number().int().min(1).max(MAX_LAST_N) }).strict(),
]);

const ViewFeatureSchema = z
  .object({
    name: z.string().regex(FEATURE_NAME_RE, 'must match ^[a-z][a-z0-9_]{0,62}$'),
    aggregation: z.enum(['count', 'sum', 'mean', 'last', 'distinct_count', 'rate']),
    field: z.string().regex(PATH_RE, 'a dotted path, e.g. features.linesChanged').optional(),
    equals: z.union([z.string(), z.number(), z.boolean()]).optional(),
    window: WindowSchema,
  })
  .strict()
  .superRefine((f, ctx) => {
    const bad = (path: string, message: string): void => void ctx.addIssue({ code: 'custom', path: [path], message });
    if (f.field === undefined && ['sum', 'mean', 'last', 'distinct_count'].includes(f.aggregation)) bad('field', `${f.aggregation} needs a field`);
    if (f.equals !== undefined && f.field === undefined) bad('equals', 'needs a field to compare');
    if (f.aggregation === 'rate' && typeof f.window !== 'string') bad('window', 'rate is per hour over a time window (1h, 1d, 7d, 30d)');
  });

export const FeatureViewSchema = z
  .object({
    name: z.string().regex(AGENT_NAME_RE, 'must match ^[a-z0-9][a-z0-9-]{0,62}$'),
    description: z.string().max(2000).optional(),
    entity: z.string().regex(FEATURE_NAME_RE, 'must match ^[a-z][a-z0-9_]{0,62}$'),
    entityPath: z.string().regex(PATH_RE, 'a dotted path, e.g. context.author'),
    source: z
      .object({
        events: z.string().min(1).max(128),
        agent: z.string().regex(AGENT_NAME_RE).optional(),
      })
      .strict(),
    features: z.array(ViewFeatureSchema).min(1).max(100),
    ttlSeconds: z.number().int().min(1).max(400 * 86_400).default(DEFAULT_VIEW_TTL_SECONDS),
    onLoss: z.enum(['stale', 'missing']).default('stale'),
  })
  .strict()
  .superRefine((v, ctx) => {
    const seen = new Set<string>();
    v.features.forEach((f, i) => {
      if (seen.has(f.name)) ctx.addIssue({ code: 'custom', path: ['features', i, 'name'], message: `duplicate feature name '${f.name}'` });
      seen.add(f.name);
    });
  });

/**
 * Validate a view definition and fill in defaults; a `ValidationError` names every bad field.
 * @example parseFeatureView({ name: 'repo-load', entity: 'repo', entityPath: 'context.repo', source: { events: 'decisions' }, features: [{ name: 'decisions_1h', aggregation: 'count', window: '1h' }] })
 */
export function parseFeatureView(input: unknown): FeatureViewDefinition {
  const r = FeatureViewSchema.safeParse(input);
  if (!r.success)
    throw new ValidationError(
      'invalid feature view',
      r.error.issues.map((i) => ({ path: i.path.map(String).join('.'), message: i.message })),
    );
  const d = r.data;
  return {
    name: d.name,
    ...(d.description !== undefined ? { description: d.description } : {}),
    entity: d.entity,
    entityPath: d.entityPath,
    source: { events: d.source.events, ...(d.source.agent !== undefined ? { agent: d.source.agent } : {}) },
    features: d.features.map((f) => ({
      name: f.name,
      aggregation: f.aggregation,
      ...(f.field !== undefined ? { field: f.field } : {}),
      ...(f.equals !== undefined ? { equals: f.equals } : {}),
      window: f.window,
    })),
    ttlSeconds: d.ttlSeconds,
    onLoss: d.onLoss,
  };
}

/** Width of one bucket of a time window (ms). */
export const bucketWidth = (w: TimeWindow): number => TIME_WINDOWS[w] / WINDOW_BUCKETS;
