/**
 * Small helpers over the Grafana Foundation SDK so each dashboard file reads as a list of
 * panels: a title, PromQL queries and a unit. Panels are laid out left to right on
 * Grafana's 24-column grid in the order given.
 */
import { ReduceDataOptionsBuilder } from '@grafana/grafana-foundation-sdk/common';
import {
  DashboardBuilder,
  DatasourceVariableBuilder,
  QueryVariableBuilder,
  VariableRefresh,
  ThresholdsConfigBuilder,
  ThresholdsMode,
  type Dashboard,
} from '@grafana/grafana-foundation-sdk/dashboard';
import { DataqueryBuilder } from '@grafana/grafana-foundation-sdk/prometheus';
import { PanelBuilder as StatPanelBuilder } from '@grafana/grafana-foundation-sdk/stat';
import { PanelBuilder as TimeseriesPanelBuilder } from '@grafana/grafana-foundation-sdk/timeseries';

/**
 * The `agent` variable's values: every agent that has made a decision, read from Prometheus
 * (no fixed list, so the dashboards fit whatever agents an installation runs).
 */
export const AGENT_VALUES_QUERY = 'label_values(apprentice_decisions_total, agent)';

/** Label matcher for the `agent` template variable. */
export const AGENT = 'agent=~"$agent"';
/** Range for `rate()` in dashboards. */
export const RATE = '$__rate_interval';

export interface Query {
  readonly expr: string;
  /** Legend template, e.g. `{{agent}}`. Default: Grafana's series name. */
  readonly legend?: string;
}

/** A step of a threshold: colour from `value` up (`null` = from minus infinity). */
export interface Step {
  readonly value: number | null;
  readonly color: string;
}

export interface PanelSpec {
  readonly kind: 'timeseries' | 'stat';
  readonly title: string;
  readonly description: string;
  readonly queries: readonly Query[];
  /** Grafana unit id: `s`, `bytes`, `percentunit`, `ops`, `short`. Default `short`. */
  readonly unit?: string;
  readonly min?: number;
  readonly max?: number;
  /** Width in grid columns. Default 12 for time series, 6 for stats. */
  readonly width?: number;
  readonly thresholds?: readonly Step[];
}

export const timeseries = (spec: Omit<PanelSpec, 'kind'>): PanelSpec => ({ kind: 'timeseries', ...spec });
export const stat = (spec: Omit<PanelSpec, 'kind'>): PanelSpec => ({ kind: 'stat', ...spec });

/** The Prometheus data source picked with the `datasource` variable. */
const DATASOURCE = { type: 'prometheus', uid: '${datasource}' };

const target = (q: Query, i: number): DataqueryBuilder => {
  const b = new DataqueryBuilder()
    .expr(q.expr)
    .refId(String.fromCharCode(65 + i))
    .datasource(DATASOURCE);
  return q.legend === undefined ? b : b.legendFormat(q.legend);
};

const thresholds = (steps: readonly Step[]): ThresholdsConfigBuilder =>
  new ThresholdsConfigBuilder().mode(ThresholdsMode.Absolute).steps(steps.map((s) => ({ ...s })));

function panel(spec: PanelSpec, gridPos: { x: number; y: number; w: number; h: number }) {
  const b =
    spec.kind === 'stat'
      ? new StatPanelBuilder().reduceOptions(
          new ReduceDataOptionsBuilder().calcs(['lastNotNull']).values(false),
        )
      : new TimeseriesPanelBuilder().fillOpacity(10).lineWidth(1);
  b.title(spec.title)
    .description(spec.description)
    .datasource(DATASOURCE)
    .unit(spec.unit ?? 'short')
    .gridPos(gridPos);
  spec.queries.forEach((q, i) => b.withTarget(target(q, i)));
  if (spec.min !== undefined) b.min(spec.min);
  if (spec.max !== undefined) b.max(spec.max);
  if (spec.thresholds !== undefined) b.thresholds(thresholds(spec.thresholds));
  return b;
}

export interface DashboardSpec {
  readonly uid: string;
  readonly title: string;
  readonly description: string;
  readonly tags: readonly string[];
  /** Adds the multi-value `agent` variable, its values queried from Prometheus (`AGENT_VALUES_QUERY`). */
  readonly agentVariable: boolean;
  readonly panels: readonly PanelSpec[];
}

/** Builds the Grafana dashboard model for a spec (pure: same spec, same JSON). */
export function buildDashboard(spec: DashboardSpec): Dashboard {
  const d = new DashboardBuilder(spec.title)
    .uid(spec.uid)
    .description(spec.description)
    .tags(['apprentice', ...spec.tags])
    .editable()
    .refresh('30s')
    .time({ from: 'now-6h', to: 'now' })
    .timezone('browser')
    .withVariable(new DatasourceVariableBuilder('datasource').label('Data source').type('prometheus'));
  if (spec.agentVariable) {
    d.withVariable(
      new QueryVariableBuilder('agent')
        .label('Agent')
        .datasource({ type: 'prometheus', uid: '${datasource}' })
        .query(AGENT_VALUES_QUERY)
        .definition(AGENT_VALUES_QUERY)
        .refresh(VariableRefresh.OnTimeRangeChanged)
        .multi(true)
        .includeAll(true)
        .allValue('.*')
        .current({ text: 'All', value: '$__all' }),
    );
  }
  let x = 0;
  let y = 0;
  let rowHeight = 0;
  for (const p of spec.panels) {
    const w = p.width ?? (p.kind === 'stat' ? 6 : 12);
    const h = p.kind === 'stat' ? 4 : 8;
    if (x + w > 24) {
      x = 0;
      y += rowHeight;
      rowHeight = 0;
    }
    d.withPanel(panel(p, { x, y, w, h }));
    x += w;
    rowHeight = Math.max(rowHeight, h);
  }
  return d.build();
}

/** `histogram_quantile(q, …)` over a catalogue histogram, grouped by `by`. */
export const quantile = (q: number, histogram: string, by: string, selector = AGENT): string =>
  `histogram_quantile(${q}, sum by (${by}, le) (rate(${histogram}_bucket{${selector}}[${RATE}])))`;
