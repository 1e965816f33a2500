import { TASK_AREAS, detektorCoder } from '../detektor-coder.js';
import type { World } from '../internal/world.js';

const VERBS = ['add', 'fix', 'implement', 'refactor', 'update', 'improve', 'support'];
const OBJECTS = ['detector', 'tracker', 'camera', 'stream', 'endpoint', 'dashboard', 'pipeline', 'config', 'model', 'export'];
/** Keywords with a hidden effect on duration (the rules know only `refactor`). */
const HEAVY = ['cuda', 'tensorrt', 'migration', 'calibration'];
const LIGHT = ['typo', 'docs', 'rename', 'logging'];
/** Hours an area adds whatever the size (hardware and tracking work drag on). */
const AREA_EXTRA: Record<string, number> = { detection: 1, tracking: 3, camera: 5, api: -1, ui: -1.5, infra: 0 };
const LEVEL_FACTOR: Record<string, number> = { junior: 1.35, mid: 1.0, senior: 0.8 };
const POINTS = [[1, 2], [2, 3], [3, 4], [5, 3], [8, 2], [13, 1]] as const;

/**
 * Hidden truth: duration grows slightly faster than story points, the area adds fixed
 * hours, camera work multiplies the cost of components, the assignee's level scales it (ignored by the rules), on heavy/light keywords, and is log-normally noisy.
 */
export const detektorCoderWorld: World = {
  agent: detektorCoder,
  unitPrefix: 'task',
  missingOutcomeRate: 0.03,
  optionalFields: ['descriptionLength', 'assigneeLevel', 'components', 'hasTests'],
  generate(rng) {
    const storyPoints = rng.weighted(POINTS);
    const area = rng.pick(TASK_AREAS);
    const assigneeLevel = rng.weighted([['junior', 1], ['mid', 2], ['senior', 1.5]] as const);
    const components = Math.min(6, 1 + rng.int(0, Math.ceil(storyPoints / 3)));
    const hasTests = rng.chance(0.6);
    const keyword = rng.chance(0.35) ? rng.pick(HEAVY) : rng.chance(0.3) ? rng.pick(LIGHT) : undefined;
    const title = [rng.pick(VERBS), rng.pick(OBJECTS), ...(keyword === undefined ? [] : [keyword]), rng.pick(OBJECTS)].join(' ');
    const descriptionLength = rng.logNormalInt(5.5 + 0.15 * storyPoints, 0.6, 20);

    let hours = 2 * storyPoints + 0.08 * storyPoints ** 2 + (AREA_EXTRA[area] ?? 0);
    hours += 1.2 * (components - 1) * (area === 'camera' ? 1.6 : 1);
    if (hasTests) hours *= 1.12;
    if (keyword !== undefined && HEAVY.includes(keyword)) hours += 6;
    if (keyword !== undefined && LIGHT.includes(keyword)) hours *= 0.6;
    hours *= LEVEL_FACTOR[assigneeLevel] ?? 1;
    hours *= Math.exp(0.18 * rng.normal());
    const actual = Math.round(Math.max(0.25, hours) * 4) / 4;
    const delay = Math.round(4 + 2 * actual + rng.int(0, 10));
    return {
      context: { title, storyPoints, components, hasTests, descriptionLength, area, assigneeLevel },
      outcome: () => ({ value: actual }),
      delay,
    };
  },
};
