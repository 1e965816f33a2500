import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { generate, type GenSpec } from './generate.js';

interface KsCase {
  reference?: number[];
  current?: number[];
  referenceGen?: GenSpec;
  currentGen?: GenSpec;
  statistic: number;
  pValue: number;
  wasserstein: number;
  normedWasserstein: number;
  psi: number;
  jensenShannon: number;
}
interface CategoricalCase {
  reference: string[];
  current: string[];
  chi2: number;
  pValue: number;
  psi: number;
  jensenShannon: number;
}
export interface ReferenceTables {
  ks: KsCase[];
  /** Far-tail ks_2samp cases (p from 1e-28 down to 1e-134), exact and asymptotic. */
  ksTail: Pick<KsCase, 'referenceGen' | 'currentGen' | 'statistic' | 'pValue'>[];
  kstwo: { n: number; x: number; sf: number }[];
  smirnov: { n: number; x: number; sf: number }[];
  chi2sf: { x: number; df: number; sf: number }[];
  normal: { z: number; p: number }[];
  categorical: CategoricalCase[];
  zTest: { reference: boolean[]; current: boolean[]; statistic: number; pValue: number }[];
  fewUnique: { reference: number[]; current: number[]; psi: number; jensenShannon: number }[];
}

/** Loads reference.json (written by scripts/reference/drift_reference.py). */
export function loadReference(): ReferenceTables {
  const path = fileURLToPath(new URL('./reference.json', import.meta.url));
  return JSON.parse(readFileSync(path, 'utf8')) as ReferenceTables;
}

export function samples(c: Pick<KsCase, 'reference' | 'current' | 'referenceGen' | 'currentGen'>): { reference: number[]; current: number[] } {
  return {
    reference: c.reference ?? generate(c.referenceGen!),
    current: c.current ?? generate(c.currentGen!),
  };
}
