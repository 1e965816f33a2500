-- The propensity of the served action under the policy that served it (exploring reward agents,
-- docs/bandits.md); NULL means that policy was deterministic (probability 1). Read by the OPE
-- gate (src/experiments/analysis/ope-gate.ts) from `decisions` directly: the
-- `decisions_with_outcomes` view keeps its columns.
ALTER TABLE decisions ADD COLUMN IF NOT EXISTS action_propensity DOUBLE PRECISION;
