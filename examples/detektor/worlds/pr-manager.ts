import { CI_STATUSES, MERGE_ACTIONS, prManager } from '../pr-manager.js';
import { sigmoid } from '../internal/rng.js';
import { noisyLabel, type World } from '../internal/world.js';

/**
 * Hidden truth: P(merging as is breaks main) is logistic in commits behind (doubled when the
 * lockfile is touched), shared config, staleness, size and CI status; 3% noise.
 */
export const prManagerWorld: World = {
  agent: prManager,
  unitPrefix: 'merge',
  missingOutcomeRate: 0.05,
  optionalFields: ['hoursSinceUpdate', 'approvals', 'touchesSharedConfig'],
  generate(rng) {
    const commitsBehindMain = rng.logNormalInt(2, 1, 0);
    const filesChanged = rng.logNormalInt(1.6, 0.9, 1);
    const hoursSinceUpdate = rng.logNormalInt(3, 1.1, 0);
    const touchesLockfile = rng.chance(0.15);
    const touchesSharedConfig = rng.chance(0.2);
    const approvals = rng.int(1, 3);
    const ciStatus = rng.weighted(CI_STATUSES.map((s, i) => [s, [8, 1.5, 0.7][i]!] as const));
    let z = -2.5 + 0.05 * Math.min(commitsBehindMain, 80) * (touchesLockfile ? 2 : 1) + (touchesSharedConfig ? 1.2 : 0);
    z += 0.008 * Math.min(hoursSinceUpdate, 300) + 0.06 * Math.min(filesChanged, 40) + (ciStatus === 'red' ? 2.5 : ciStatus === 'yellow' ? 0.6 : 0);
    z -= 0.2 * (approvals - 1);
    const label = noisyLabel(rng, rng.next() < sigmoid(1.5 * z) ? 'rebase-first' : 'merge-now', MERGE_ACTIONS, 0.03);
    return {
      context: { commitsBehindMain, filesChanged, hoursSinceUpdate, touchesLockfile, touchesSharedConfig, approvals, ciStatus },
      outcome: () => ({ label }),
      delay: rng.int(2, 15),
    };
  },
};
