import { ROOT_CAUSES, debuggerAgent, type RootCause } from '../debugger.js';
import { noisyLabel, type World } from '../internal/world.js';

const COMMON_LOG = ['error', 'at', 'line', 'failed', 'test', 'expected', 'got', 'traceback', 'module', 'call'];
/** Per cause: prior, P(intermittent), P(only on CI), P(recent deploy), P(dataset changed), P(GPU in log), error types, log words. */
const CAUSES: Record<RootCause, { prior: number; p: readonly [number, number, number, number, number]; errors: readonly (readonly [string, number])[]; words: readonly string[] }> = {
  'flaky-test': { prior: 0.25, p: [0.7, 0.45, 0.2, 0.1, 0.1], errors: [['timeout', 4], ['assertion', 3], ['segfault', 0.3]], words: ['sleep', 'race', 'retry', 'port', 'async'] },
  environment: { prior: 0.2, p: [0.35, 0.7, 0.4, 0.05, 0.25], errors: [['import-error', 4], ['timeout', 2], ['oom', 2]], words: ['docker', 'pip', 'version', 'path', 'permission'] },
  'code-regression': { prior: 0.3, p: [0.1, 0.25, 0.6, 0.1, 0.15], errors: [['assertion', 5], ['import-error', 1], ['nan-loss', 0.5]], words: ['refactor', 'null', 'index', 'shape', 'keyerror'] },
  'data-issue': { prior: 0.15, p: [0.15, 0.2, 0.2, 0.7, 0.1], errors: [['nan-loss', 3], ['assertion', 2], ['oom', 1]], words: ['label', 'annotation', 'corrupt', 'jpeg', 'empty'] },
  'gpu-driver': { prior: 0.1, p: [0.4, 0.5, 0.5, 0.05, 0.75], errors: [['segfault', 3], ['oom', 3], ['timeout', 1]], words: ['cuda', 'cudnn', 'driver', 'nvml', 'tensorrt'] },
};

/**
 * Hidden truth: a generative model: the cause is drawn first, then symptoms from it, so the
 * rules' fixed triage order misreads overlapping symptoms (flaky GPU tests, CI-only
 * regressions); 4% of root causes are recorded wrongly.
 */
export const debuggerWorld: World = {
  agent: debuggerAgent,
  unitPrefix: 'incident',
  missingOutcomeRate: 0.1,
  optionalFields: ['failingTests', 'recentDeploy', 'datasetChanged', 'logExcerpt'],
  generate(rng) {
    const cause = rng.weighted(ROOT_CAUSES.map((c) => [c, CAUSES[c].prior] as const));
    const { p, errors, words } = CAUSES[cause];
    const [intermittent, onlyOnCi, recentDeploy, datasetChanged, gpuInLog] = p.map((q) => rng.chance(q)) as [boolean, boolean, boolean, boolean, boolean];
    const errorType = rng.weighted(errors);
    const failingTests = cause === 'code-regression' || cause === 'environment' ? rng.logNormalInt(1.5, 0.8, 1) : rng.int(1, 3);
    const logExcerpt = [rng.text(COMMON_LOG, rng.int(4, 8)), rng.text(words, rng.int(0, 2))].join(' ').trim();
    const label = noisyLabel(rng, cause, ROOT_CAUSES, 0.04);
    return {
      context: { errorType, failingTests, intermittent, onlyOnCi, recentDeploy, datasetChanged, gpuInLog, logExcerpt },
      outcome: () => ({ label }),
      delay: rng.int(5, 40),
    };
  },
};
