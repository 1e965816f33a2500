// Reads the committed monitoring files for tests.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { packageRoot } from '../../../core/package-root.js';

export const repoRoot = packageRoot();
export const rulesDir = join(repoRoot, 'monitoring/prometheus/rules');
export const ruleTestsDir = join(repoRoot, 'monitoring/prometheus/tests');

export interface Rule {
  readonly alert?: string;
  readonly record?: string;
  readonly expr: string;
  readonly for?: string;
  readonly labels?: Record<string, string>;
  readonly annotations?: Record<string, string>;
}

export interface RuleFile {
  readonly groups: readonly { readonly name: string; readonly rules: readonly Rule[] }[];
}

export const ruleFiles = (): string[] =>
  readdirSync(rulesDir)
    .filter((f) => f.endsWith('.yml'))
    .map((f) => join(rulesDir, f));

export const ruleTestFiles = (): string[] =>
  readdirSync(ruleTestsDir)
    .filter((f) => f.endsWith('.test.yml'))
    .map((f) => join(ruleTestsDir, f));

export const allRules = (): Rule[] =>
  ruleFiles().flatMap((f) => (parse(readFileSync(f, 'utf8')) as RuleFile).groups.flatMap((g) => g.rules));

export interface RuleTestFile {
  readonly tests: readonly {
    readonly name?: string;
    readonly alert_rule_test?: readonly {
      readonly alertname: string;
      readonly exp_alerts?: readonly unknown[];
    }[];
  }[];
}

export const readYaml = <T>(file: string): T => parse(readFileSync(file, 'utf8')) as T;
