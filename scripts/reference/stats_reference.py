#!/usr/bin/python3
"""Reference tables for src/stats, computed with scipy / statsmodels (and mpmath for exact
distribution values where scipy itself is less accurate).

Run with Debian's interpreter:  /usr/bin/python3 scripts/reference/stats_reference.py
Writes src/stats/testing/reference.json. Tests read the JSON; they never call Python.
Conventions: arm A is control, B treatment, differences are B - A. Non-finite floats are
encoded as the strings "Infinity" / "-Infinity" / "NaN".
"""
import json
import math
import os
import sys

import mpmath as mp
import numpy as np
import scipy
import statsmodels
from scipy import integrate, optimize, special, stats
from statsmodels.stats.multitest import multipletests
from statsmodels.stats.power import NormalIndPower
from statsmodels.stats.proportion import (
    confint_proportions_2indep,
    proportion_effectsize,
    proportions_ztest,
    test_proportions_2indep,
)

mp.mp.dps = 50
OUT = os.path.join(os.path.dirname(__file__), '..', '..', 'src', 'stats', 'testing', 'reference.json')


def enc(x):
    if isinstance(x, (list, tuple, np.ndarray)):
        return [enc(v) for v in x]
    if x is None:
        return None
    x = float(x)
    if math.isnan(x):
        return 'NaN'
    if math.isinf(x):
        return 'Infinity' if x > 0 else '-Infinity'
    return x


def crit(tail, df=None):
    return stats.norm.isf(tail) if df is None else stats.t.isf(tail, df)


def interval(est, se, alpha, alt, df=None):
    if alt == 'two-sided':
        h = crit(alpha / 2, df) * se
        return [est - h, est + h]
    if alt == 'greater':
        return [est - crit(alpha, df) * se, math.inf]
    return [-math.inf, est + crit(alpha, df) * se]


SM_ALT = {'two-sided': 'two-sided', 'greater': 'larger', 'less': 'smaller'}


# ---------------------------------------------------------------- distributions
def t_sf_exact(t, df):
    t, df = mp.mpf(t), mp.mpf(df)
    x = df / (df + t * t)
    tail = mp.betainc(df / 2, mp.mpf(1) / 2, 0, x, regularized=True) / 2
    return tail if t >= 0 else 1 - tail


def distributions():
    zs = [-38, -20, -10, -5, -3, -1.96, -1, -1e-8, 0, 1e-8, 0.3, 1, 1.6448536269514722, 2.5, 5, 8.2]
    ps = [1e-300, 1e-100, 1e-20, 1e-10, 1e-5, 0.001, 0.025, 0.05, 0.075, 0.2, 0.425, 0.5, 0.6, 0.925, 0.975, 0.999, 1 - 1e-10]
    t_cases = [(t, df) for df in [1, 1.5, 2, 3, 4.7, 10, 29.3, 100, 1e4, 1e6] for t in [-50, -3.2, -1, 0, 0.01, 0.7, 2.1, 6, 40]]
    tp_cases = [(p, df) for df in [1, 1.5, 2, 3, 4.7, 10, 29.3, 100, 1e4, 1e6] for p in [1e-12, 1e-6, 0.001, 0.025, 0.1, 0.5, 0.8, 0.975, 0.9995]]
    chi_cases = [(x, df) for df in [1, 2, 3, 7, 30, 250] for x in [0, 1e-6, 0.5, 1, 3.84, 10, 50, 200, 600]]

    out = {
        'normalCdf': [[z, enc(stats.norm.cdf(z)), enc(mp.ncdf(z))] for z in zs],
        'normalPpf': [[p, enc(stats.norm.ppf(p))] for p in ps],
        'studentTCdf': [[t, df, enc(stats.t.cdf(t, df)), enc(t_sf_exact(-t, df))] for t, df in t_cases],
        'studentTPpf': [],
        'chiSquareSf': [[x, df, enc(stats.chi2.sf(x, df)), enc(mp.gammainc(mp.mpf(df) / 2, mp.mpf(x) / 2, mp.inf, regularized=True))] for x, df in chi_cases],
    }
    for p, df in tp_cases:
        guess = stats.t.ppf(p, df)
        exact = mp.findroot(lambda t: t_sf_exact(-t, df) - mp.mpf(p), mp.mpf(guess))
        out['studentTPpf'].append([p, df, enc(guess), enc(exact)])
    return out


# ---------------------------------------------------------------- two-proportion z
def two_proportion_cases():
    cases = [
        (120, 1000, 150, 1000), (0, 100, 0, 100), (0, 100, 5, 100), (100, 100, 97, 100), (5, 100, 0, 100),
        (50, 500, 50, 500), (1, 3, 2, 3), (3, 7, 0, 11), (10000, 100000, 10250, 100000),
        (4_800_000, 10_000_000, 4_801_500, 10_000_000), (1, 1, 0, 1), (30, 40, 10, 400), (0, 5, 5, 5),
        (999, 1000, 1000, 1000), (12, 60, 20, 61),
    ]
    rows = []
    for sA, nA, sB, nB in cases:
        for alt in ['two-sided', 'greater', 'less']:
            for alpha in [0.05, 0.01]:
                pA, pB = sA / nA, sB / nB
                pooled = (sA + sB) / (nA + nB)
                pooled_se = math.sqrt(pooled * (1 - pooled) * (1 / nA + 1 / nB))
                if pooled_se > 0:
                    z, p = proportions_ztest([sB, sA], [nB, nA], alternative=SM_ALT[alt])
                else:
                    z, p = 0.0, 1.0
                varA, varB = pA * (1 - pA) / nA, pB * (1 - pB) / nB
                se = math.sqrt(varA + varB)
                ci = interval(pB - pA, se, alpha, alt)
                if alt == 'two-sided' and se > 0:
                    lo, hi = confint_proportions_2indep(sB, nB, sA, nA, method='wald', compare='diff', alpha=alpha)
                    assert abs(lo - ci[0]) < 1e-12 and abs(hi - ci[1]) < 1e-12, (lo, hi, ci)
                lift, lift_ci = None, None
                if pA > 0:
                    lift = pB / pA - 1
                    lift_se = math.sqrt(varB / pA**2 + pB**2 * varA / pA**4)
                    lift_ci = enc(interval(lift, lift_se, alpha, alt))
                rows.append({
                    'input': {'successesA': sA, 'totalA': nA, 'successesB': sB, 'totalB': nB},
                    'options': {'alpha': alpha, 'alternative': alt},
                    'expected': {
                        'difference': enc(pB - pA), 'zScore': enc(z), 'pValue': enc(p), 'ci': enc(ci),
                        'relativeLift': enc(lift), 'relativeLiftCi': lift_ci, 'standardError': enc(se),
                    },
                })
    return rows


# ---------------------------------------------------------------- Welch t
def welch_cases():
    rng = np.random.default_rng(20240611)
    rows = []
    summaries = [
        ((10, 4, 50), (11, 9, 60)), ((0.5, 0.01, 2), (0.7, 0.02, 2)), ((100, 400, 10000), (100.5, 380, 12000)),
        ((3, 1, 5), (3, 1, 5)), ((1e6, 1e10, 30), (1.0001e6, 2e10, 35)), ((-2, 0.5, 8), (1, 30, 400)),
        ((5, 2, 1_000_000), (5.004, 2.1, 1_000_000)), ((0, 1, 20), (0.4, 1, 20)), ((42, 0, 10), (41, 3, 12)),
        ((12.3, 4.5, 3), (9.8, 0.2, 300)),
    ]
    inputs = [('summary', {'mean': m, 'variance': v, 'count': n}, {'mean': m2, 'variance': v2, 'count': n2})
              for (m, v, n), (m2, v2, n2) in summaries]
    for n1, n2, shift, scale in [(5, 7, 0.3, 1), (30, 25, 0.0, 2), (12, 40, 1.5, 0.5), (50, 50, -0.2, 3)]:
        a = [round(float(x), 6) for x in rng.normal(10, 1, n1)]
        b = [round(float(x), 6) for x in rng.normal(10 + shift, scale, n2)]
        inputs.append(('samples', a, b))
    for kind, a, b in inputs:
        if kind == 'summary':
            mA, vA, nA, mB, vB, nB = a['mean'], a['variance'], a['count'], b['mean'], b['variance'], b['count']
        else:
            mA, vA, nA = np.mean(a), np.var(a, ddof=1), len(a)
            mB, vB, nB = np.mean(b), np.var(b, ddof=1), len(b)
        for alt in ['two-sided', 'greater', 'less']:
            alpha = 0.05
            if kind == 'summary':
                t, p = stats.ttest_ind_from_stats(mB, math.sqrt(vB), nB, mA, math.sqrt(vA), nA, equal_var=False, alternative=alt)
            else:
                t, p = stats.ttest_ind(b, a, equal_var=False, alternative=alt)
            se = math.sqrt(vA / nA + vB / nB)
            df = se**4 / ((vA / nA) ** 2 / (nA - 1) + (vB / nB) ** 2 / (nB - 1))
            ci = interval(mB - mA, se, alpha, alt, df)
            lift = mB / mA - 1 if mA != 0 else None
            lift_ci = None
            if mA != 0:
                lift_se = math.sqrt(vB / nB / mA**2 + mB**2 * (vA / nA) / mA**4)
                lift_ci = enc(interval(lift, lift_se, alpha, alt, df))
            rows.append({
                'kind': kind, 'a': a, 'b': b, 'options': {'alpha': alpha, 'alternative': alt},
                'expected': {'difference': enc(mB - mA), 'tStatistic': enc(t), 'degreesOfFreedom': enc(df), 'pValue': enc(p),
                             'ci': enc(ci), 'relativeLift': enc(lift), 'relativeLiftCi': lift_ci},
            })
    return rows


# ---------------------------------------------------------------- SRM
def srm_cases():
    cases = [
        ([5000, 5000], None), ([5000, 5400], None), ([5000, 5300], [0.5, 0.5]), ([9000, 1100], [0.9, 0.1]),
        ([1, 0], None), ([0, 7], [1, 3]), ([100, 110, 95], None), ([50000, 25300, 24700], [2, 1, 1]),
        ([10_000_000, 10_004_000], None), ([3, 3, 3, 3, 40], None), ([123, 456], [0.05, 0.95]),
    ]
    rows = []
    for obs, w in cases:
        total = sum(obs)
        weights = w if w is not None else [1] * len(obs)
        exp = [total * x / sum(weights) for x in weights]
        chi2, p = stats.chisquare(obs, exp)
        rows.append({'observed': obs, 'weights': w, 'expected': {'chi2': enc(chi2), 'pValue': enc(p), 'mismatch': bool(p < 0.001)}})
    return rows


# ---------------------------------------------------------------- power
def power_cases():
    rows = []
    metrics = [
        ({'kind': 'proportion', 'baselineRate': 0.1}, [0.02, 0.005, -0.03]),
        ({'kind': 'proportion', 'baselineRate': 0.5}, [0.01, -0.1]),
        ({'kind': 'proportion', 'baselineRate': 0.01}, [0.002]),
        ({'kind': 'mean', 'standardDeviation': 1}, [0.2, 0.05, -0.5]),
        ({'kind': 'mean', 'standardDeviation': 25}, [3]),
    ]
    eng = NormalIndPower()
    for metric, mdes in metrics:
        for mde in mdes:
            if metric['kind'] == 'proportion':
                es = proportion_effectsize(metric['baselineRate'] + mde, metric['baselineRate'])
            else:
                es = mde / metric['standardDeviation']
            alts = ['two-sided', 'greater' if mde > 0 else 'less']
            for alt in alts:
                for alpha, pw, ratio in [(0.05, 0.8, 1), (0.01, 0.9, 1), (0.05, 0.8, 3), (0.1, 0.5, 0.5)]:
                    nobs1 = eng.solve_power(effect_size=es, nobs1=None, alpha=alpha, power=pw, ratio=ratio, alternative=SM_ALT[alt])
                    nobs1 = float(np.asarray(nobs1).ravel()[0])
                    fixed_n = 1000
                    pw_at = eng.power(effect_size=es, nobs1=fixed_n, alpha=alpha, ratio=ratio, alternative=SM_ALT[alt])
                    sm_es = eng.solve_power(effect_size=None, nobs1=fixed_n, alpha=alpha, power=pw, ratio=ratio, alternative=SM_ALT[alt])
                    sm_es = abs(float(np.asarray(sm_es).ravel()[0]))
                    # statsmodels' own solve for the effect size stops at ~1e-5 relative; solve its
                    # power function to full precision instead (the raw answer is kept for the record).
                    sign = -1 if alt == 'less' else 1
                    es_mde = sign * optimize.brentq(
                        lambda e: eng.power(effect_size=sign * e, nobs1=fixed_n, alpha=alpha, ratio=ratio, alternative=SM_ALT[alt]) - pw,
                        1e-9, 10, xtol=1e-15, rtol=1e-15)
                    if metric['kind'] == 'mean':
                        mde_abs = es_mde * metric['standardDeviation']
                    else:
                        ang = math.asin(math.sqrt(metric['baselineRate'])) + es_mde / 2
                        mde_abs = math.sin(ang) ** 2 - metric['baselineRate'] if 0 <= ang <= math.pi / 2 else None
                    rows.append({
                        'metric': metric, 'mde': mde, 'options': {'alpha': alpha, 'power': pw, 'ratio': ratio, 'alternative': alt},
                        'expected': {'effectSize': enc(es), 'nobs1': enc(nobs1), 'powerAt1000': enc(pw_at),
                                     'mdeEffectSizeAt1000': enc(es_mde), 'statsmodelsSolvedEffectSize': enc(sign * sm_es), 'mdeAt1000': enc(mde_abs)},
                    })
    return rows


# ---------------------------------------------------------------- multiple testing
def adjust_cases():
    rng = np.random.default_rng(7)
    sets = [[0.01, 0.04, 0.03], [0.5], [0.001, 0.001, 0.2, 0.049, 0.9, 0.0], [1, 1, 1], [0.02, 0.02, 0.02, 0.02],
            [float(x) for x in rng.uniform(0, 0.1, 12)], [float(x) for x in rng.uniform(0, 1, 25)], []]
    names = {'holm': 'holm', 'bonferroni': 'bonferroni', 'benjamini-hochberg': 'fdr_bh'}
    rows = []
    for ps in sets:
        for ours, theirs in names.items():
            adj = multipletests(ps, method=theirs)[1] if ps else []
            rows.append({'pValues': ps, 'method': ours, 'expected': enc(list(adj))})
    return rows


# ---------------------------------------------------------------- non-inferiority
def non_inferiority_cases():
    rows = []
    for (sA, nA, sB, nB), margin in [((900, 1000, 895, 1000), 0.03), ((900, 1000, 860, 1000), 0.03), ((40, 200, 45, 210), 0.05),
                                     ((9500, 10000, 9420, 10000), 0.01), ((3, 50, 1, 50), 0.02)]:
        for higher in [True, False]:
            value, alt = (-margin, 'larger') if higher else (margin, 'smaller')
            res = test_proportions_2indep(sB, nB, sA, nA, value=value, method='wald', compare='diff', alternative=alt)
            rows.append({'arms': {'metric': 'proportion', 'a': {'successes': sA, 'total': nA}, 'b': {'successes': sB, 'total': nB}},
                         'options': {'margin': margin, 'higherIsBetter': higher},
                         'expected': {'statistic': enc(res.statistic), 'pValue': enc(res.pvalue)}})
    for (mA, vA, nA, mB, vB, nB), margin in [((120, 400, 300, 123, 420, 310), 5), ((1.0, 0.04, 40, 0.97, 0.05, 45), 0.05),
                                             ((10, 4, 1000, 10.3, 5, 900), 0.2)]:
        for higher in [True, False]:
            shifted = mB + margin if higher else mB - margin
            t, p = stats.ttest_ind_from_stats(shifted, math.sqrt(vB), nB, mA, math.sqrt(vA), nA, equal_var=False,
                                              alternative='greater' if higher else 'less')
            rows.append({'arms': {'metric': 'mean', 'a': {'mean': mA, 'variance': vA, 'count': nA}, 'b': {'mean': mB, 'variance': vB, 'count': nB}},
                         'options': {'margin': margin, 'higherIsBetter': higher},
                         'expected': {'statistic': enc(t), 'pValue': enc(p)}})
    return rows


# ---------------------------------------------------------------- chance to win
def beta_greater_sum(aA, bA, aB, bB):
    i = np.arange(aB, dtype=float)
    logs = special.betaln(aA + i, bA + bB) - np.log(bB + i) - special.betaln(1 + i, bB) - special.betaln(aA, bA)
    m = logs.max()
    return float(math.exp(m) * np.exp(logs - m).sum())


def beta_quad(f, dists):
    lo = min(d.ppf(1e-15) for d in dists)
    hi = max(d.isf(1e-15) for d in dists)
    pts = sorted(d.mean() for d in dists)
    val, _ = integrate.quad(f, lo, hi, points=pts, epsabs=1e-15, epsrel=1e-12, limit=1000)
    return val


def chance_cases():
    rows = []
    for sA, nA, sB, nB in [(100, 1000, 120, 1000), (0, 10, 0, 10), (0, 50, 3, 50), (5, 5, 4, 5), (30, 300, 28, 310),
                           (1200, 10000, 1290, 10000), (45000, 100000, 45600, 100000), (2, 3, 1, 2), (999, 1000, 990, 1000)]:
        aA, bA, aB, bB = 1 + sA, 1 + nA - sA, 1 + sB, 1 + nB - sB
        A, B = stats.beta(aA, bA), stats.beta(aB, bB)
        p_sum = beta_greater_sum(aA, bA, aB, bB)
        p_quad = beta_quad(lambda t: B.pdf(t) * A.cdf(t), [A, B])
        assert abs(p_sum - p_quad) < 1e-8, (p_sum, p_quad)
        loss_b = beta_quad(lambda t: B.cdf(t) * A.sf(t), [A, B])  # E[max(pA - pB, 0)]
        loss_a = beta_quad(lambda t: A.cdf(t) * B.sf(t), [A, B])  # E[max(pB - pA, 0)]
        rows.append({'arms': {'metric': 'proportion', 'a': {'successes': sA, 'total': nA}, 'b': {'successes': sB, 'total': nB}},
                     'expected': {'chanceToWin': enc(p_sum), 'expectedLossA': enc(loss_a), 'expectedLossB': enc(loss_b)}})
    for (mA, vA, nA, mB, vB, nB) in [(10, 4, 100, 10.5, 5, 120), (3, 1, 1000, 2.95, 1.2, 1000), (7, 2, 20, 7, 2, 20)]:
        d = mB - mA
        s = math.sqrt(vA / nA + vB / nB)
        X = stats.norm(d, s)  # posterior of B - A
        loss_b = integrate.quad(lambda x: -x * X.pdf(x), -math.inf, 0, epsabs=1e-15)[0]
        loss_a = integrate.quad(lambda x: x * X.pdf(x), 0, math.inf, epsabs=1e-15)[0]
        rows.append({'arms': {'metric': 'mean', 'a': {'mean': mA, 'variance': vA, 'count': nA}, 'b': {'mean': mB, 'variance': vB, 'count': nB}},
                     'expected': {'chanceToWin': enc(X.sf(0)), 'expectedLossA': enc(loss_a), 'expectedLossB': enc(loss_b)}})
    return rows


# ---------------------------------------------------------------- mSPRT (formula, numpy)
def sequential_cases():
    rows = []
    for (sA, nA, sB, nB), tau in [((100, 1000, 130, 1000), 0.02), ((500, 5000, 520, 5000), 0.01), ((10, 50, 12, 50), 0.1)]:
        pA, pB = sA / nA, sB / nB
        V = pA * (1 - pA) / nA + pB * (1 - pB) / nB
        rows.append(seq_row({'metric': 'proportion', 'a': {'successes': sA, 'total': nA}, 'b': {'successes': sB, 'total': nB}}, pB - pA, V, tau))
    for (mA, vA, nA, mB, vB, nB), tau in [((10, 4, 100, 10.8, 5, 120), 0.5), ((3, 1, 1000, 2.98, 1.2, 1000), 0.05)]:
        V = vA / nA + vB / nB
        rows.append(seq_row({'metric': 'mean', 'a': {'mean': mA, 'variance': vA, 'count': nA}, 'b': {'mean': mB, 'variance': vB, 'count': nB}}, mB - mA, V, tau))
    return rows


def seq_row(arms, d, V, tau, alpha=0.05):
    t2 = tau * tau
    lam = math.sqrt(V / (V + t2)) * math.exp(t2 * d * d / (2 * V * (V + t2)))
    half = math.sqrt(2 * V * (V + t2) / t2 * (math.log(1 / alpha) + 0.5 * math.log((V + t2) / V)))
    return {'arms': arms, 'options': {'tau': tau, 'alpha': alpha},
            'expected': {'likelihoodRatio': enc(lam), 'pValue': enc(min(1.0, 1 / lam)), 'ci': enc([d - half, d + half])}}


def main():
    ref = {
        'meta': {'generator': 'scripts/reference/stats_reference.py', 'python': sys.version.split()[0], 'scipy': scipy.__version__,
                 'statsmodels': statsmodels.__version__, 'mpmath': mp.__version__, 'numpy': np.__version__},
        'distributions': distributions(),
        'twoProportionZTest': two_proportion_cases(),
        'welchTTest': welch_cases(),
        'srmCheck': srm_cases(),
        'power': power_cases(),
        'adjustPValues': adjust_cases(),
        'nonInferiorityTest': non_inferiority_cases(),
        'chanceToWin': chance_cases(),
        'sequentialTest': sequential_cases(),
    }
    with open(OUT, 'w') as f:
        json.dump(ref, f, indent=1, allow_nan=False)
        f.write('\n')
    print('wrote', os.path.normpath(OUT))


if __name__ == '__main__':
    main()
