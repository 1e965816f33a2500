import { REVIEW_VERDICTS, codeReviewer } from '../code-reviewer.js';
import { sigmoid } from '../internal/rng.js';
import { noisyLabel, type World } from '../internal/world.js';

const TITLE_WORDS = ['fix', 'add', 'update', 'detector', 'nms', 'threshold', 'tracker', 'camera', 'api', 'tests', 'config'];
/** How strict each reviewer is: the rules do not know who reviews. */
const REVIEWER_EFFECT: Record<string, number> = { anna: -2.2, bartek: 1.5, celina: 0, dawid: -1, ewa: 1.8, filip: 0.5 };
const REVIEWERS = Object.keys(REVIEWER_EFFECT);
const LANGUAGE_EFFECT: Record<string, number> = { python: 0.3, typescript: 0.5, cpp: -0.7, cuda: -1.5 };

/**
 * Hidden truth: P(pass first time) is logistic in the diff size, tests, coverage and lint,
 * with factors the rules ignore (who reviews, author tenure, language, a description)
 * and an interaction (core changes without tests are far worse); 2% annotation noise.
 */
export const codeReviewerWorld: World = {
  agent: codeReviewer,
  unitPrefix: 'pr',
  missingOutcomeRate: 0.04,
  optionalFields: ['reviewer', 'coverageDelta', 'lintWarnings', 'authorTenureMonths', 'hasDescription', 'language'],
  generate(rng) {
    const linesAdded = rng.logNormalInt(4.2, 1.1, 1);
    const linesDeleted = rng.logNormalInt(2.8, 1.2, 0);
    const filesChanged = Math.max(1, Math.round((linesAdded + linesDeleted) / rng.int(25, 90)));
    const testFilesChanged = rng.chance(0.6) ? rng.int(1, Math.max(1, Math.ceil(filesChanged / 2))) : 0;
    const coverageDelta = Math.round((rng.normal() * 1.5 + (testFilesChanged > 0 ? 0.5 : -0.8)) * 10) / 10;
    const lintWarnings = rng.chance(0.6) ? 0 : rng.int(1, 9);
    const touchesCore = rng.chance(0.3);
    const ciPassed = rng.chance(0.88);
    const hasDescription = rng.chance(0.75);
    const authorTenureMonths = rng.int(0, 48);
    const language = rng.weighted([['python', 5], ['typescript', 3], ['cpp', 1.5], ['cuda', 0.7]] as const);
    const reviewer = rng.pick(REVIEWERS);
    const wip = rng.chance(0.05);
    const title = `${wip ? 'wip ' : ''}${rng.text(TITLE_WORDS, rng.int(2, 5))}`;

    const lines = linesAdded + linesDeleted;
    let z = 1.4 - 0.003 * Math.min(lines, 1500);
    z += testFilesChanged > 0 ? 0.8 : -0.6;
    if (touchesCore && testFilesChanged === 0) z -= 1.5;
    z += 0.4 * coverageDelta - 0.35 * lintWarnings;
    z += ciPassed ? 0 : -2;
    z += 0.07 * authorTenureMonths - 1.7;
    z += LANGUAGE_EFFECT[language] ?? 0;
    z += hasDescription ? 1 : -1;
    z += REVIEWER_EFFECT[reviewer] ?? 0;
    if (wip) z -= 2;
    const passed = rng.next() < sigmoid(4 * z);
    const label = noisyLabel(rng, passed ? 'approve' : 'request-changes', REVIEW_VERDICTS, 0.02);
    return {
      context: { title, linesAdded, linesDeleted, filesChanged, testFilesChanged, coverageDelta, lintWarnings, touchesCore, ciPassed, hasDescription, authorTenureMonths, language, reviewer },
      outcome: () => ({ label }),
      delay: rng.int(3, 30),
    };
  },
};
