// Regenerates the committed Grafana dashboards: `npx tsx scripts/monitoring/dashboards.ts [dir]`.
import { writeDashboards } from '../../src/observability/metrics/index.js';

const dir = process.argv[2] ?? 'monitoring/grafana/dashboards';
const files = await writeDashboards(dir);
for (const f of files) console.log(`wrote ${f}`);
