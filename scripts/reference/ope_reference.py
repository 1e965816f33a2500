#!/usr/bin/env python3
"""Reference values for src/experiments/ope (off-policy evaluation of contextual bandits),
computed straight from the published formulas with numpy, independently of the TypeScript.

Run with any Python 3 that has numpy:  python3 scripts/reference/ope_reference.py
Writes src/experiments/ope/ope-reference.json. Tests read the JSON; they never call Python.

Notation, per logged record i: served action a_i, reward r_i, logging propensity p_i,
target policy pi_i (a probability vector over the K actions), reward model q_i (a vector).
w_i = pi_i[a_i] / p_i is the importance weight, dm_i = sum_a pi_i[a] q_i[a].

  IPS         mean(w r)                                      Horvitz & Thompson 1952
  SNIPS       sum(w r) / sum(w)                              Swaminathan & Joachims 2015
  DM          mean(dm)
  DR          mean(dm + w (r - q[a]))                        Dudik, Langford & Li 2011
  DR-clipped  mean(dm + s(w) (r - q[a])),  s = min(w, lam)   Su et al. 2020 (pessimistic)
                                           s = w lam / (w^2 + lam)           (optimistic)
  SWITCH-DR   mean(dm + 1{w <= tau} w (r - q[a]))            Wang, Agarwal & Dudik 2017
  stdErr      sample std (ddof 1) of the per-record terms / sqrt(n); for SNIPS the delta
              method: sqrt(sum(w^2 (r - V)^2)) / sum(w)
  normal CI   V -+ z_{1-alpha/2} stdErr  (z from statistics.NormalDist, Wichura AS241)
  emp. Bernstein (Maurer & Pontil 2009, Thm 4, both sides at alpha/2) on the IPS terms:
              mean -+ (sqrt(2 var ln(4/alpha) / n) + 7 R ln(4/alpha) / (3 (n - 1)))
              R = range of w r; default maxWeight * (max(rMax, 0) - min(rMin, 0))
Inputs are rounded to 6 significant digits so the JSON holds them exactly.
"""
import json
import math
import os
from statistics import NormalDist

import numpy as np

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', '..', 'src', 'experiments', 'ope', 'ope-reference.json')


def r6(x):
    return np.vectorize(lambda v: float(f'{v:.6g}'))(np.asarray(x, dtype=float))


def prob_rows(raw):
    """Rows rounded to 6 significant digits; the largest entry absorbs the rounding so each
    row sums to 1 to ~1e-16."""
    rows = r6(raw)
    for row in rows:
        j = int(np.argmax(row))
        row[j] = 0.0
        row[j] = 1.0 - row.sum()
    return rows


def make_case(name, seed, n, k, *, rare=None, rare_share=0.0, deterministic_target=False,
              rewards='continuous', with_hat=True):
    rng = np.random.default_rng(seed)
    mu = 0.8 * rng.dirichlet(np.ones(k), n) + 0.2 / k  # logging policy, every entry >= 0.2/k
    if rare is not None:  # one action the logging policy almost never takes
        mu[:, 0] = rare * (1 + rng.random(n))
        mu[:, 1:] *= (1 - mu[:, :1]) / mu[:, 1:].sum(axis=1, keepdims=True)
    mu = r6(mu)
    action = np.array([rng.choice(k, p=row / row.sum()) for row in mu])
    if rare is not None and rare_share > 0:
        forced = rng.random(n) < rare_share
        forced[0] = True
        action[forced] = 0
    propensity = mu[np.arange(n), action]

    if deterministic_target:
        target = np.eye(k)[rng.integers(0, k, n)]
    else:
        target = rng.dirichlet(np.full(k, 0.7), n)
        if rare is not None:
            target[:, 0] = 0.1 + 0.3 * target[:, 0]
            target[:, 1:] *= (1 - target[:, :1]) / target[:, 1:].sum(axis=1, keepdims=True)
    target = prob_rows(target)

    truth = rng.random((n, k))
    if rewards == 'binary':
        reward = (rng.random(n) < truth[np.arange(n), action]).astype(float)
        hat = r6(np.clip(truth + rng.normal(0, 0.15, (n, k)), 0, 1))
    else:  # continuous, some negative
        reward = r6(3 * truth[np.arange(n), action] - 1 + rng.normal(0, 0.5, n))
        hat = r6(3 * truth - 1 + rng.normal(0, 0.3, (n, k)))
    return {
        'name': name,
        'action': action.tolist(),
        'reward': reward.tolist(),
        'propensity': propensity.tolist(),
        'target': target.tolist(),
        **({'rewardHat': hat.tolist()} if with_hat else {}),
    }


def mean_result(terms):
    n = len(terms)
    se = float(np.std(terms, ddof=1) / math.sqrt(n)) if n > 1 else None
    return {'estimate': float(np.mean(terms)), 'stdErr': se}


def compute(case):
    a = np.array(case['action'])
    r = np.array(case['reward'])
    p = np.array(case['propensity'])
    pi = np.array(case['target'])
    n = len(a)
    idx = np.arange(n)
    w = pi[idx, a] / p

    out = {}
    out['diagnostics'] = {
        'n': n,
        'effectiveSampleSize': float(w.sum() ** 2 / (w ** 2).sum()),
        'minPropensity': float(p.min()),
        'maxWeight': float(w.max()),
        'meanWeight': float(w.mean()),
    }
    out['ips'] = mean_result(w * r)
    v = (w * r).sum() / w.sum()
    out['snips'] = {'estimate': float(v), 'stdErr': float(math.sqrt((w ** 2 * (r - v) ** 2).sum()) / w.sum())}

    alphas = [0.05, 0.1, 0.01]
    normal = []
    for alpha in alphas:
        z = NormalDist().inv_cdf(1 - alpha / 2)
        for est in ('ips', 'snips'):
            e, se = out[est]['estimate'], out[est]['stdErr']
            normal.append({'estimator': est, 'alpha': alpha, 'lower': e - z * se, 'upper': e + z * se})

    terms = w * r
    var = float(np.var(terms, ddof=1))
    eb = []
    observed = (float(r.min()), float(r.max()))
    spread = float(terms.max() - terms.min())
    for alpha, opts in [(0.05, {}), (0.1, {}), (0.05, {'rewardRange': [-5.0, 5.0]}), (0.05, {'range': 50.0}),
                        (0.01, {'range': float(math.ceil(1.5 * spread))}), (0.05, {'rewardRange': [0.0, 1.0]})]:
        if opts.get('range', math.inf) < spread:
            continue  # not a valid bound for these terms (the TypeScript rejects it)
        if 'range' in opts:
            rng_width = opts['range']
        else:
            lo, hi = opts.get('rewardRange', observed)
            rng_width = float(w.max()) * (max(hi, 0.0) - min(lo, 0.0))
        if 'rewardRange' in opts and opts['rewardRange'] == [0.0, 1.0] and (r.min() < 0 or r.max() > 1):
            continue  # only where the rewards really are in [0, 1]
        log_term = math.log(4 / alpha)
        half = math.sqrt(2 * var * log_term / n) + 7 * rng_width * log_term / (3 * (n - 1))
        m = float(terms.mean())
        eb.append({'alpha': alpha, 'options': opts, 'range': rng_width, 'lower': m - half, 'upper': m + half})

    if 'rewardHat' in case:
        q = np.array(case['rewardHat'])
        dm = (pi * q).sum(axis=1)
        resid = r - q[idx, a]
        out['dm'] = mean_result(dm)
        out['dr'] = mean_result(dm + w * resid)
        clipped = []
        for lam in sorted({0.0, 0.5, 2.0, 10.0, float(np.median(w)), 1e6}):
            for shrinkage in ('pessimistic', 'optimistic'):
                if shrinkage == 'pessimistic':
                    s = np.minimum(w, lam)
                else:
                    s = np.zeros(n) if lam == 0 else w * lam / (w ** 2 + lam)
                clipped.append({'lambda': lam, 'shrinkage': shrinkage, 'clipped': int((s != w).sum()),
                                **mean_result(dm + s * resid)})
        out['drClipped'] = clipped
        switch = []
        for tau in sorted({0.0, 1.0, 3.0, 50.0, float(np.quantile(w, 0.9)), 1e6}):
            use_dr = w <= tau
            switch.append({'tau': tau, 'switched': int((~use_dr).sum()), **mean_result(dm + use_dr * w * resid)})
        out['switchDr'] = switch
        for alpha in alphas:
            z = NormalDist().inv_cdf(1 - alpha / 2)
            for est in ('dm', 'dr'):
                e, se = out[est]['estimate'], out[est]['stdErr']
                normal.append({'estimator': est, 'alpha': alpha, 'lower': e - z * se, 'upper': e + z * se})
    out['normal'] = normal
    out['empiricalBernstein'] = eb
    return out


CASES = [
    make_case('tiny-k3', 1, 2, 3),
    make_case('small-k4-binary', 2, 9, 4, rewards='binary'),
    make_case('k5-rare-action', 3, 60, 5, rare=2e-4, rare_share=0.05),
    make_case('k3-deterministic-target', 4, 150, 3, deterministic_target=True),
    make_case('k4-binary-rare', 5, 400, 4, rare=1e-3, rare_share=0.01, rewards='binary'),
    make_case('k5-no-reward-model', 6, 80, 5, with_hat=False),
    make_case('k3-large', 7, 700, 3, rare=5e-5, rare_share=0.004),
]


def main():
    doc = {
        'generator': 'scripts/reference/ope_reference.py',
        'numpy': np.__version__,
        'cases': [{**c, **compute(c)} for c in CASES],
    }
    with open(OUT, 'w') as f:
        json.dump(doc, f, separators=(',', ':'), allow_nan=False)
        f.write('\n')
    print('wrote', os.path.normpath(OUT), os.path.getsize(OUT), 'bytes;', len(CASES), 'cases')


if __name__ == '__main__':
    main()
