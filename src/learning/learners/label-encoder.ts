import type { Label } from './learner.js';

/**
 * Maps class labels to dense indices in order of first appearance, so an online classifier
 * can meet new classes at any time. Numbers and strings are distinct labels (`1` ≠ `'1'`).
 */
export class LabelEncoder {
  private readonly byLabel = new Map<Label, number>();
  private readonly list: Label[] = [];

  constructor(initial: readonly Label[] = []) {
    for (const l of initial) this.add(l);
  }

  get classes(): readonly Label[] {
    return this.list;
  }

  get size(): number {
    return this.list.length;
  }

  /** Index of `label`, or -1. */
  indexOf(label: Label): number {
    return this.byLabel.get(label) ?? -1;
  }

  /** Index of `label`, registering it if new. */
  add(label: Label): number {
    let i = this.byLabel.get(label);
    if (i === undefined) {
      i = this.list.length;
      this.byLabel.set(label, i);
      this.list.push(label);
    }
    return i;
  }

  labelAt(index: number): Label {
    const l = this.list[index];
    if (l === undefined) throw new RangeError(`no class at index ${index}`);
    return l;
  }
}
