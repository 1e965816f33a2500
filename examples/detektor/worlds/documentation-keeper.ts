import { CHANGE_TYPES, DOC_VERDICTS, documentationKeeper } from '../documentation-keeper.js';
import { noisyLabel, type World } from '../internal/world.js';

const WORDS = ['update', 'detector', 'threshold', 'camera', 'export', 'onnx', 'tracker', 'cleanup', 'tests', 'api'];
const TYPE_EFFECT: Record<string, number> = { feature: 1, fix: -0.3, refactor: -0.5, chore: -1, perf: 0 };

/**
 * Hidden truth: need = API, config (per option), CLI and feature work, minus touched docs
 * (which often only partly cover the change), plus `breaking` in the message; 4% noise.
 */
export const documentationKeeperWorld: World = {
  agent: documentationKeeper,
  unitPrefix: 'change',
  missingOutcomeRate: 0.1,
  optionalFields: ['linesChanged', 'changeType', 'newConfigOptions'],
  generate(rng) {
    const changeType = rng.weighted(CHANGE_TYPES.map((t, i) => [t, [4, 4, 2, 2, 1][i]!] as const));
    const publicApiChanged = rng.chance(changeType === 'feature' ? 0.5 : 0.15);
    const newConfigOptions = rng.weighted([[0, 6], [1, 2], [2, 1], [3, 0.4]] as const);
    const cliFlagsChanged = rng.chance(0.12);
    const docsTouched = rng.chance(0.3);
    const linesChanged = rng.logNormalInt(4.5, 1, 1);
    const breaking = rng.chance(0.08);
    const commitMessage = `${changeType}: ${rng.text(WORDS, rng.int(2, 5))}${breaking ? ' breaking' : ''}`;
    let need = (publicApiChanged ? 2 : 0) + 0.9 * newConfigOptions + (cliFlagsChanged ? 1.5 : 0) + (TYPE_EFFECT[changeType] ?? 0);
    need += (docsTouched ? -2 : 0) + (breaking ? 2 : 0) + 0.0015 * Math.min(linesChanged, 1000) + 0.6 * rng.normal();
    const label = noisyLabel(rng, need > 1.2 ? 'update-docs' : 'no-update', DOC_VERDICTS, 0.04);
    return {
      context: { commitMessage, publicApiChanged, newConfigOptions, cliFlagsChanged, docsTouched, linesChanged, changeType },
      outcome: () => ({ label }),
      delay: rng.int(10, 50),
    };
  },
};
