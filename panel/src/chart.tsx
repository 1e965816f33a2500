/** One point of the rollout chart: the effect (ml − rules) and its always-valid CI at a time. */
export interface EffectPoint {
  readonly time: number;
  readonly label: string;
  readonly effect: number;
  readonly lo: number | null;
  readonly hi: number | null;
  /** `step`: evidence recorded with a rollout step; `live`: the running experiment now. */
  readonly kind: 'step' | 'live';
}

const W = 720;
const H = 260;
const PAD = { l: 56, r: 16, t: 16, b: 40 };

/**
 * The effect and its always-valid (mSPRT) confidence interval over time as SVG: a bar per
 * point, the zero line and the non-inferiority margin. An infinite interval end (no data yet)
 * is drawn to the edge of the plot.
 */
export function EffectChart({ points, margin }: { readonly points: readonly EffectPoint[]; readonly margin: number | null }) {
  if (points.length === 0) return <p class="muted" data-testid="chart-empty">No evidence yet: the chart fills as the experiment gathers outcomes.</p>;
  const finite = points.flatMap((p) => [p.effect, p.lo, p.hi]).filter((v): v is number => v !== null && Number.isFinite(v));
  let min = Math.min(0, ...finite, margin === null ? 0 : -margin);
  let max = Math.max(0, ...finite);
  if (max - min < 1e-9) [min, max] = [min - 1, max + 1];
  const span = max - min;
  min -= span * 0.08;
  max += span * 0.08;
  const t0 = Math.min(...points.map((p) => p.time));
  const t1 = Math.max(...points.map((p) => p.time));
  const x = (t: number): number => (t1 === t0 ? (PAD.l + W - PAD.r) / 2 : PAD.l + ((t - t0) / (t1 - t0)) * (W - PAD.l - PAD.r));
  const y = (v: number | null, edge: number): number => {
    const value = v === null || !Number.isFinite(v) ? edge : Math.min(max, Math.max(min, v));
    return PAD.t + ((max - value) / (max - min)) * (H - PAD.t - PAD.b);
  };
  const ticks = Array.from({ length: 5 }, (_, i) => min + ((max - min) * i) / 4);
  return (
    <svg class="chart" viewBox={`0 0 ${W} ${H}`} role="img" aria-label="effect and always-valid confidence interval over time" data-testid="effect-chart">
      {ticks.map((v) => (
        <g key={v}>
          <line x1={PAD.l} x2={W - PAD.r} y1={y(v, 0)} y2={y(v, 0)} class="grid" />
          <text x={PAD.l - 6} y={y(v, 0) + 4} text-anchor="end" class="tick">
            {v.toFixed(3)}
          </text>
        </g>
      ))}
      <line x1={PAD.l} x2={W - PAD.r} y1={y(0, 0)} y2={y(0, 0)} class="zero" />
      {margin !== null && (
        <g>
          <line x1={PAD.l} x2={W - PAD.r} y1={y(-margin, 0)} y2={y(-margin, 0)} class="margin" />
          <text x={W - PAD.r} y={y(-margin, 0) - 4} text-anchor="end" class="tick">
            −margin {margin}
          </text>
        </g>
      )}
      {points.map((p, i) => {
        const cx = x(p.time);
        const top = y(p.hi, max);
        const bottom = y(p.lo, min);
        return (
          <g key={i} class={p.kind} data-testid="chart-point">
            <line x1={cx} x2={cx} y1={top} y2={bottom} class="ci" />
            <line x1={cx - 5} x2={cx + 5} y1={top} y2={top} class="ci" />
            <line x1={cx - 5} x2={cx + 5} y1={bottom} y2={bottom} class="ci" />
            <circle cx={cx} cy={y(p.effect, 0)} r={4} class="effect" />
            <text x={cx} y={H - PAD.b + 16} text-anchor="middle" class="tick">
              {p.label}
            </text>
            <title>{`${p.label}: effect ${p.effect.toFixed(4)}, CI [${p.lo ?? '−∞'}, ${p.hi ?? '+∞'}]`}</title>
          </g>
        );
      })}
      <text x={PAD.l} y={H - 6} class="tick">
        time →
      </text>
    </svg>
  );
}
