import { ValidationError } from '../core/index.js';
import { anonymize, type AnonymizeResult, type QuasiIdentifier } from './privacy/k-anonymity.js';

/** One training row: the decision's features, the served value and the outcome. */
export type TrainingRow = Readonly<Record<string, unknown>>;

/** A `decisions_with_outcomes` row as a training row (features only: never the context). */
export function trainingRow(r: Readonly<Record<string, unknown>>): TrainingRow {
  const features = (r.features ?? {}) as Record<string, unknown>;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(features)) if (k !== '__proto__') out[k] = v;
  out.decision = r.value ?? null;
  out.label = r.outcome_label ?? null;
  out.outcomeValue = r.outcome_value ?? null;
  out.reward = r.outcome_reward ?? null;
  return out;
}

/**
 * k-anonymous release of training rows: quasi-identifier fields are generalised (numeric
 * ranges, categorical `*`) or rows suppressed until every released row shares its
 * quasi-identifier values with at least k−1 others. A field is numeric when every present
 * value is a finite number.
 * @example
 * exportTraining(rows, { k: 5, quasi: ['team', 'linesChanged'] });
 */
export function exportTraining(
  rows: readonly TrainingRow[],
  options: { readonly k: number; readonly quasi: readonly string[] },
): AnonymizeResult<TrainingRow> {
  if (!Number.isInteger(options.k) || options.k < 2)
    throw new ValidationError('invalid k', [{ path: 'k', message: 'must be an integer ≥ 2' }]);
  if (options.quasi.length === 0)
    throw new ValidationError('no quasi-identifiers', [
      { path: 'quasi', message: 'name at least one field' },
    ]);
  const quasiIdentifiers: QuasiIdentifier[] = options.quasi.map((field) => {
    const present = rows.map((r) => r[field]).filter((v) => v !== null && v !== undefined);
    const numeric = present.length > 0 && present.every((v) => typeof v === 'number' && Number.isFinite(v));
    return { field, type: numeric ? 'numeric' : 'categorical' };
  });
  return anonymize(rows, { k: options.k, quasiIdentifiers });
}
