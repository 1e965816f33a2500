import type { ESLint, Rule } from 'eslint';

/** Lowest first: a wing imports only wings that come before it. */
export declare const WINGS: readonly string[];
export declare const wingBoundaries: Rule.RuleModule;
declare const plugin: ESLint.Plugin;
export default plugin;
