import { type CompileScope, type Compiled, strictOperator } from './compiled.js';

/** flagd's `starts_with` / `ends_with`: exactly two strings, else null (so the default variant is used). */
function compare(kind: 'starts_with' | 'ends_with'): (args: readonly unknown[], scope: CompileScope) => Compiled {
  return (args, scope) =>
    strictOperator(args, scope, (v) => {
      if (v.length !== 2) return null;
      const [s, affix] = v;
      if (typeof s !== 'string' || typeof affix !== 'string') return null;
      return kind === 'starts_with' ? s.startsWith(affix) : s.endsWith(affix);
    });
}

export const compileStartsWith = compare('starts_with');
export const compileEndsWith = compare('ends_with');
