/**
 * runtime — the composition root: the only place that wires wings together (`createApprentice`,
 * `installPlatform` and the per-wing installers), plus the server context type. Imports every
 * wing below it; only server, cli and the package root import it.
 */
export { type Apprentice, createApprentice } from './create-apprentice.js';
export { installPlatform, SERVE_ROLES, type PlatformOptions, type ServeRole } from './install-platform.js';
export { artifactStoreKind, createArtifactStore } from './artifact-store.js';
export { restoreBackup, verifyBackup, writeBackup, type BackupSummary } from './backup.js';
export { attachColdTier, coldEvents, coldSegments, coldTier, tierPartitions, type ColdSegment, type SegmentManifest, type TierResult } from './tiering.js';
export { checkTierable, createTieringJob, installTiering, tierIntervalMs, type TieringJob, type TieringJobOptions, type TierRequest } from './tiering-job.js';
export { sqlClientOf } from './install-security.js';
export type { ServerContext, ServerOptions } from './server-context.js';
