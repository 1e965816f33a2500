import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { describeMetrics } from './catalogue.js';
import { promqlRefs } from './promql-refs.js';
import { runTool } from './testing/promtool.js';
import {
  allRules,
  readYaml,
  repoRoot,
  ruleFiles,
  ruleTestFiles,
  type RuleTestFile,
} from './testing/rule-files.js';

const alerts = allRules().filter((r) => r.alert !== undefined);
const records = new Set(allRules().flatMap((r) => (r.record === undefined ? [] : [r.record])));

describe('Prometheus rules', () => {
  it('pass promtool check rules', () => {
    const r = runTool('promtool', ['check', 'rules', ...ruleFiles()]);
    expect(r.output).toContain('SUCCESS');
    expect(r.status, r.output).toBe(0);
  });

  it('pass their promtool unit tests', () => {
    const r = runTool('promtool', ['test', 'rules', ...ruleTestFiles()]);
    expect(r.status, r.output).toBe(0);
  });

  it('define at least 15 alerts with severity, summary, description, action and a runbook', () => {
    expect(alerts.length).toBeGreaterThanOrEqual(15);
    expect(new Set(alerts.map((a) => a.alert)).size).toBe(alerts.length);
    for (const a of alerts) {
      const name = a.alert ?? '';
      expect(name).toMatch(/^Apprentice[A-Z][A-Za-z]+$/);
      expect(['critical', 'warning', 'info'], name).toContain(a.labels?.severity);
      for (const key of ['summary', 'description', 'action', 'runbook_url'])
        expect(a.annotations?.[key], `${name}.${key}`).toBeTruthy();
      expect(a.annotations?.runbook_url).toBe(`https://github.com/apprentice/apprentice/blob/main/docs/runbooks/${name}.md`);
      const runbook = join(repoRoot, `docs/runbooks/${name}.md`);
      expect(existsSync(runbook), runbook).toBe(true);
      const text = readFileSync(runbook, 'utf8');
      for (const section of ['## Meaning', '## Diagnosis', '## Remediation'])
        expect(text, name).toContain(section);
    }
  });

  it('only label alerts with remediations the webhook knows', () => {
    for (const a of alerts) {
      const remediation = a.labels?.remediation;
      if (remediation !== undefined) expect(['rollback', 'pause'], a.alert).toContain(remediation);
    }
  });

  it('have a unit test in which each alert fires and one in which it does not', () => {
    const firing = new Set<string>();
    const silent = new Set<string>();
    for (const file of ruleTestFiles())
      for (const t of readYaml<RuleTestFile>(file).tests)
        for (const a of t.alert_rule_test ?? [])
          ((a.exp_alerts ?? []).length > 0 ? firing : silent).add(a.alertname);
    for (const a of alerts) {
      expect(firing.has(a.alert ?? ''), `${a.alert} has no firing test`).toBe(true);
      expect(silent.has(a.alert ?? ''), `${a.alert} has no not-firing test`).toBe(true);
    }
  });

  it('reference only metrics of the catalogue and recording rules defined here', () => {
    const known = new Set(describeMetrics().map((m) => m.name));
    for (const r of allRules()) {
      const refs = promqlRefs(r.expr);
      expect(refs.metrics.length + refs.recordingRules.length, r.expr).toBeGreaterThan(0);
      for (const m of refs.metrics) expect(known.has(m), `${r.alert ?? r.record}: ${m}`).toBe(true);
      for (const rr of refs.recordingRules)
        expect(records.has(rr), `${r.alert ?? r.record}: ${rr}`).toBe(true);
    }
  });
});
