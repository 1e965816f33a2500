// Regenerates docs/metrics.md from the metric catalogue: `npx tsx scripts/monitoring/metrics-doc.ts`.
import { writeFile } from 'node:fs/promises';
import { renderMetricsDoc } from '../../src/observability/metrics/index.js';

const path = process.argv[2] ?? 'docs/metrics.md';
await writeFile(path, renderMetricsDoc());
console.log(`wrote ${path}`);
