/**
 * A small reader for the Gherkin subset the flagd testbed uses: Feature/Background/Scenario/
 * Scenario Outline/Examples, tags, Given/When/Then/And/But steps with data tables, `#` comments.
 * Outlines are expanded into one scenario per Examples row. Written here (test support only)
 * instead of pulling @cucumber/gherkin and its messages stack into the dev dependencies.
 */

export interface GherkinStep {
  /** Given/When/Then, with And/But resolved to the keyword they continue. */
  readonly keyword: 'Given' | 'When' | 'Then';
  readonly text: string;
  /** Rows of a data table under the step (header row included). */
  readonly table: readonly (readonly string[])[];
}

export interface GherkinScenario {
  readonly feature: string;
  readonly name: string;
  /** Feature, scenario and Examples tags, without '@'. */
  readonly tags: readonly string[];
  /** Background steps first. */
  readonly steps: readonly GherkinStep[];
  readonly line: number;
}

interface RawScenario {
  name: string;
  tags: string[];
  steps: { keyword: GherkinStep['keyword']; text: string; table: string[][] }[];
  examples: { tags: string[]; rows: string[][] }[];
  outline: boolean;
  line: number;
}

export function parseTableRow(line: string): string[] {
  const inner = line.trim().replace(/^\|/, '').replace(/\|$/, '');
  const cells: string[] = [];
  let cur = '';
  for (let i = 0; i < inner.length; i++) {
    const ch = inner[i]!;
    if (ch === '\\' && i + 1 < inner.length) {
      const next = inner[++i]!;
      cur += next === 'n' ? '\n' : next;
    } else if (ch === '|') {
      cells.push(cur.trim());
      cur = '';
    } else cur += ch;
  }
  cells.push(cur.trim());
  return cells;
}

const substitute = (text: string, row: Readonly<Record<string, string>>): string =>
  text.replace(/<([^<>]+)>/g, (m, name: string) => (Object.hasOwn(row, name) ? row[name]! : m));

export function parseFeature(source: string): GherkinScenario[] {
  let feature = '';
  let featureTags: string[] = [];
  let pendingTags: string[] = [];
  const background: RawScenario['steps'] = [];
  const scenarios: RawScenario[] = [];
  let current: { steps: RawScenario['steps'] } | undefined;
  let currentScenario: RawScenario | undefined;
  let currentExamples: RawScenario['examples'][number] | undefined;
  let lastKeyword: GherkinStep['keyword'] = 'Given';

  source.split(/\r?\n/).forEach((raw, index) => {
    const line = raw.trim();
    if (line === '' || line.startsWith('#')) return;
    if (line.startsWith('@')) {
      pendingTags.push(...line.split(/\s+/).filter((t) => t.startsWith('@')).map((t) => t.slice(1)));
      return;
    }
    const header = /^(Feature|Background|Scenario Outline|Scenario Template|Scenario|Example|Examples|Scenarios):\s*(.*)$/.exec(line);
    if (header) {
      const kind = header[1]!;
      const title = header[2] ?? '';
      if (kind === 'Feature') {
        feature = title;
        featureTags = pendingTags;
      } else if (kind === 'Background') {
        current = { steps: background };
        currentScenario = undefined;
      } else if (kind === 'Examples' || kind === 'Scenarios') {
        if (!currentScenario) throw new Error(`line ${index + 1}: Examples outside a scenario`);
        currentExamples = { tags: pendingTags, rows: [] };
        currentScenario.examples.push(currentExamples);
      } else {
        currentScenario = { name: title, tags: pendingTags, steps: [], examples: [], outline: kind.startsWith('Scenario O') || kind.startsWith('Scenario T'), line: index + 1 };
        scenarios.push(currentScenario);
        current = currentScenario;
        currentExamples = undefined;
      }
      pendingTags = [];
      return;
    }
    if (line.startsWith('|')) {
      const row = parseTableRow(line);
      if (currentExamples) currentExamples.rows.push(row);
      else {
        const step = current?.steps.at(-1);
        if (!step) throw new Error(`line ${index + 1}: table without a step`);
        step.table.push(row);
      }
      return;
    }
    const step = /^(Given|When|Then|And|But|\*)\s+(.*)$/.exec(line);
    if (step) {
      if (!current) throw new Error(`line ${index + 1}: step outside a scenario`);
      const word = step[1]!;
      const keyword = word === 'Given' || word === 'When' || word === 'Then' ? word : lastKeyword;
      lastKeyword = keyword;
      current.steps.push({ keyword, text: step[2]!, table: [] });
      currentExamples = undefined;
      return;
    }
    throw new Error(`line ${index + 1}: cannot read ${JSON.stringify(line)}`);
  });

  const out: GherkinScenario[] = [];
  for (const s of scenarios) {
    const tags = [...featureTags, ...s.tags];
    if (!s.outline) {
      out.push({ feature, name: s.name, tags, steps: [...background, ...s.steps], line: s.line });
      continue;
    }
    for (const ex of s.examples) {
      const [head, ...rows] = ex.rows;
      if (!head) continue;
      rows.forEach((cells, i) => {
        const row = Object.fromEntries(head.map((h, j) => [h, cells[j] ?? '']));
        out.push({
          feature,
          name: `${s.name} #${i + 1} (${cells.join(', ')})`,
          tags: [...tags, ...ex.tags],
          steps: [...background, ...s.steps].map((st) => ({
            keyword: st.keyword,
            text: substitute(st.text, row),
            table: st.table.map((r) => r.map((c) => substitute(c, row))),
          })),
          line: s.line,
        });
      });
    }
  }
  return out;
}
