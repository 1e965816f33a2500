/** Exhaustiveness check for discriminated unions (STYLE.md §9). */
export function assertNever(value: never, what = 'value'): never {
  throw new Error(`unexpected ${what}: ${JSON.stringify(value)}`);
}
