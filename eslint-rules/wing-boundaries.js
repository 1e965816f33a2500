// @ts-check
/**
 * apprentice's layout rule (docs/architecture.md): src/ is a stack of wings, and a wing may
 * import only the wings below it, and only through their `index.ts`. Nothing in src/ imports
 * examples/. Test files (`*.test.ts`, `testing/`) may reach into lower wings' internals and use
 * the composition root (runtime, server, cli) as a harness.
 *
 * Written here rather than configured in eslint-plugin-boundaries or dependency-cruiser: the
 * whole model is one ordered list and three checks, and it must know our test-file convention;
 * a 90-line rule with its own RuleTester suite is easier to keep true than a second config
 * language.
 */
import path from 'node:path';

/** Lowest first: a wing imports only wings that come before it. */
export const WINGS = ['core', 'log', 'decisions', 'security', 'observability', 'safety', 'learning', 'experiments', 'runtime', 'server', 'cli'];
const HARNESS = new Set(['runtime', 'server', 'cli']);

const norm = (p) => p.split(path.sep).join('/');

/** `{ area: 'src' | 'examples' | other, wing, rest }` of a repository-relative path. */
function locate(rel) {
  const parts = rel.split('/');
  if (parts[0] === 'src') return { area: 'src', wing: parts.length > 2 ? parts[1] : null, rest: parts.slice(2).join('/') };
  return { area: parts[0], wing: null, rest: '' };
}

const isTestFile = (rel) => /\.test\.ts$/.test(rel) || /(^|\/)testing\//.test(rel);

/** @type {import('eslint').Rule.RuleModule} */
export const wingBoundaries = {
  meta: {
    type: 'problem',
    docs: { description: 'wings import lower wings only, through their index.ts; src/ never imports examples/' },
    schema: [{ type: 'object', properties: { root: { type: 'string' } }, additionalProperties: false }],
    messages: {
      examples: "src/ must not import examples/ ('{{spec}}'): the demo pack is composed in bin/, above the library.",
      backEdge: "wing '{{from}}' must not import wing '{{to}}' ('{{spec}}'): wings import only the wings below them ({{order}}).",
      internals: "import wing '{{to}}' through its index.ts, not its internals ('{{spec}}').",
      ownIndex: "import sibling modules directly, not your own wing's index.ts ('{{spec}}'): it would form an import cycle.",
    },
  },
  create(context) {
    const root = context.options[0]?.root ?? context.cwd;
    const file = norm(path.relative(root, context.filename));
    const here = locate(file);
    if (here.area !== 'src' || here.wing === null) return {};
    const test = isTestFile(file);
    const fromRank = WINGS.indexOf(here.wing);

    /** @param {import('estree').Node} node @param {unknown} value */
    function check(node, value) {
      if (typeof value !== 'string' || !value.startsWith('.')) return;
      const target = norm(path.relative(root, path.resolve(path.dirname(context.filename), value)));
      const there = locate(target);
      const data = { spec: value, from: here.wing, to: there.wing ?? '', order: WINGS.join(' ← ') };
      if (there.area === 'examples') return context.report({ node, messageId: 'examples', data });
      if (there.area !== 'src' || there.wing === null) return;
      const isIndex = there.rest === 'index.js' || there.rest === 'index.ts';
      if (there.wing === here.wing) {
        if (isIndex && !test) context.report({ node, messageId: 'ownIndex', data });
        return;
      }
      const toRank = WINGS.indexOf(there.wing);
      if (toRank > fromRank && !(test && HARNESS.has(there.wing))) return context.report({ node, messageId: 'backEdge', data });
      if (!isIndex && !test) context.report({ node, messageId: 'internals', data });
    }
    return {
      ImportDeclaration: (n) => check(n, n.source.value),
      ExportNamedDeclaration: (n) => n.source && check(n, n.source.value),
      ExportAllDeclaration: (n) => check(n, n.source.value),
      ImportExpression: (n) => n.source.type === 'Literal' && check(n, n.source.value),
    };
  },
};

export default { rules: { 'wing-boundaries': wingBoundaries } };
