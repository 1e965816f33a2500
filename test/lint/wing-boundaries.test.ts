import { join } from 'node:path';
import { ESLint, RuleTester } from 'eslint';
import tseslint from 'typescript-eslint';
import { describe, expect, it } from 'vitest';
import { wingBoundaries } from '../../eslint-rules/wing-boundaries.js';

const root = join(import.meta.dirname, '..', '..');
const at = (rel: string) => join(root, rel);

RuleTester.describe = describe;
RuleTester.it = it;
RuleTester.itOnly = it.only;
const tester = new RuleTester({ languageOptions: { parser: tseslint.parser, ecmaVersion: 2022, sourceType: 'module' } });

describe('apprentice/wing-boundaries', () => {
  tester.run('wing-boundaries', wingBoundaries, {
    valid: [
      { filename: at('src/decisions/engine.ts'), code: "import { x } from '../log/index.js';", options: [{ root }] },
      { filename: at('src/learning/shadow/runner.ts'), code: "import { x } from '../../safety/index.js';", options: [{ root }] },
      { filename: at('src/learning/shadow/runner.ts'), code: "import { x } from './shadow-stats.js';", options: [{ root }] },
      { filename: at('src/learning/shadow/runner.ts'), code: "import { x } from '../registry/index.js';", options: [{ root }] },
      // Tests may reach into lower wings' internals and use the composition root as a harness.
      { filename: at('src/log/bus/redis-bus.test.ts'), code: "import { x } from '../../core/errors.js';", options: [{ root }] },
      { filename: at('src/security/audit.test.ts'), code: "import { x } from '../runtime/create-apprentice.js';", options: [{ root }] },
      // The package root is the public API: it picks files so heavy adapters stay behind subpaths.
      { filename: at('src/index.ts'), code: "export { x } from './log/events/pglite-event-store.js';", options: [{ root }] },
      { filename: at('bench/x.bench.ts'), code: "import { x } from '../src/log/events/sql-client.js';", options: [{ root }] },
    ],
    invalid: [
      // A back-edge: core would depend on the wiring.
      { filename: at('src/core/config.ts'), code: "import { x } from '../runtime/index.js';", options: [{ root }], errors: [{ messageId: 'backEdge' }] },
      { filename: at('src/log/projector/projector.ts'), code: "import type { x } from '../../decisions/index.js';", options: [{ root }], errors: [{ messageId: 'backEdge' }] },
      { filename: at('src/decisions/engine.ts'), code: "export { y } from '../learning/index.js';", options: [{ root }], errors: [{ messageId: 'backEdge' }] },
      { filename: at('src/decisions/engine.ts'), code: "const m = import('../safety/index.js');", options: [{ root }], errors: [{ messageId: 'backEdge' }] },
      // Another wing's internals.
      { filename: at('src/decisions/engine.ts'), code: "import { x } from '../log/events/sql-client.js';", options: [{ root }], errors: [{ messageId: 'internals' }] },
      // The demo pack.
      { filename: at('src/cli/program.ts'), code: "import { demo } from '../../examples/detektor/index.js';", options: [{ root }], errors: [{ messageId: 'examples' }] },
      { filename: at('src/core/config.test.ts'), code: "import { demo } from '../../examples/detektor/index.js';", options: [{ root }], errors: [{ messageId: 'examples' }] },
      // A test may use the harness, but not import an upper capability.
      { filename: at('src/log/bus/bus.test.ts'), code: "import { x } from '../../decisions/async-learning-writer.js';", options: [{ root }], errors: [{ messageId: 'backEdge' }] },
      // Own index from inside the wing: an import cycle.
      { filename: at('src/log/bus/redis-bus.ts'), code: "import { x } from '../index.js';", options: [{ root }], errors: [{ messageId: 'ownIndex' }] },
    ],
  });

  it('is wired into the project lint: a deliberate back-edge in src/ fails `npm run lint`', async () => {
    const eslint = new ESLint({ cwd: root });
    const [result] = await eslint.lintText("import { createApprentice } from '../runtime/index.js';\nexport const a = createApprentice;\n", {
      filePath: at('src/core/back-edge.ts'),
    });
    expect(result?.messages.map((m) => m.ruleId)).toContain('apprentice/wing-boundaries');
  });
});
