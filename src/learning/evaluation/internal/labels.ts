import { ValidationError } from '../../../core/index.js';

/** A class label: sklearn accepts ints or strings; so do we. */
export type Label = string | number;

/**
 * Sorted distinct labels, ordered like `numpy.unique`: numbers ascending, strings by code
 * unit. Mixed numbers and strings are rejected, as sklearn rejects them.
 */
export function uniqueLabels(...lists: readonly (readonly Label[])[]): Label[] {
  const seen = new Set<Label>();
  for (const list of lists) for (const v of list) seen.add(v);
  const out = [...seen];
  const numeric = out.every((v) => typeof v === 'number');
  if (!numeric && out.some((v) => typeof v === 'number')) {
    throw new ValidationError('labels mix numbers and strings', [
      { path: 'labels', message: 'use one type' },
    ]);
  }
  return numeric
    ? out.sort((a, b) => (a as number) - (b as number))
    : out.sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
}

export function assertSameLength(
  a: ArrayLike<unknown>,
  b: ArrayLike<unknown>,
  names: [string, string],
): void {
  if (a.length !== b.length) {
    throw new ValidationError(`${names[0]} and ${names[1]} differ in length (${a.length} vs ${b.length})`, [
      { path: names[1], message: `expected length ${a.length}` },
    ]);
  }
  if (a.length === 0) {
    throw new ValidationError(`${names[0]} is empty`, [
      { path: names[0], message: 'needs at least one sample' },
    ]);
  }
}
