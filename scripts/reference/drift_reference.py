#!/usr/bin/python3
"""Generate src/drift/testing/reference.json from scipy/numpy.

Run with Debian's python3 (scipy 1.10, numpy 1.24): /usr/bin/python3 scripts/reference/drift_reference.py
Evidently is not installed; its stat tests are re-stated below from its source
(evidently.calculations.stattests) so the TypeScript port can be checked against numpy/scipy.
"""
import json
import math
import os

import numpy as np
from scipy import stats
from scipy.spatial import distance
from scipy.special import smirnov

M = 0xFFFFFFFF


def xorshift32(seed):
    x = (seed & M) or 0x9E3779B9
    while True:
        x ^= (x << 13) & M
        x ^= x >> 17
        x ^= (x << 5) & M
        yield x


def generate(n, seed, loc, scale, decimals=None):
    g = xorshift32(seed)
    out = []
    f = 10 ** decimals if decimals is not None else 0
    for _ in range(n):
        u = next(g) / 4294967296 + next(g) / 4294967296 + next(g) / 4294967296
        x = loc + scale * (u - 1.5) * 2
        if f:
            x = math.floor(x * f) / f
        out.append(x)
    return out


def spec(n, seed, loc=0.0, scale=1.0, decimals=None):
    s = {"n": n, "seed": seed, "loc": loc, "scale": scale}
    if decimals is not None:
        s["decimals"] = decimals
    return s


def from_spec(s):
    return generate(s["n"], s["seed"], s["loc"], s["scale"], s.get("decimals"))


# --- Evidently re-statements -------------------------------------------------------------
def binned(ref, cur, numeric, fill):
    ref = np.asarray(ref)
    cur = np.asarray(cur)
    if numeric and len(np.unique(ref)) > 20:
        bins = np.histogram_bin_edges(np.concatenate([ref, cur]), bins="sturges")
        r = np.histogram(ref, bins)[0] / len(ref)
        c = np.histogram(cur, bins)[0] / len(cur)
    else:
        keys = list(dict.fromkeys(list(ref.tolist()) + list(cur.tolist())))
        rc = {k: 0 for k in keys}
        cc = {k: 0 for k in keys}
        for v in ref.tolist():
            rc[v] += 1
        for v in cur.tolist():
            cc[v] += 1
        r = np.array([rc[k] for k in keys]) / len(ref)
        c = np.array([cc[k] for k in keys]) / len(cur)
    if fill:
        for p in (r, c):
            m = min(p[p != 0])
            np.place(p, p == 0, m / 10**6 if m <= 0.0001 else 0.0001)
    return r, c


def psi(ref, cur, numeric):
    r, c = binned(ref, cur, numeric, True)
    return float(np.sum((r - c) * np.log(r / c)))


def js(ref, cur, numeric):
    r, c = binned(ref, cur, numeric, False)
    return float(distance.jensenshannon(r, c))


def chi(ref, cur):
    # Two-sample test of homogeneity (not Evidently's goodness-of-fit: see chi-square.ts).
    keys = list(dict.fromkeys(list(ref) + list(cur)))
    table = [[sum(1 for v in ref if v == key) for key in keys], [sum(1 for v in cur if v == key) for key in keys]]
    if len(keys) < 2:
        return 0.0, 1.0
    res = stats.chi2_contingency(table)
    return float(res[0]), float(res[1])


def ztest(ref, cur):
    keys = list(dict.fromkeys(list(ref) + list(cur)))
    if len(keys) == 1:
        return 0.0, 1.0
    t = keys[0]
    n1, n2 = len(ref), len(cur)
    p1 = sum(1 for v in ref if v == t) / n1
    p2 = sum(1 for v in cur if v == t) / n2
    P = (p1 * n1 + p2 * n2) / (n1 + n2)
    z = (p1 - p2) / np.sqrt(P * (1 - P) * (1.0 / n1 + 1.0 / n2))
    return float(z), float(2 * (1 - stats.norm.cdf(np.abs(z))))


def wnorm(ref, cur):
    return float(stats.wasserstein_distance(ref, cur) / max(np.std(ref), 0.001))


rng = np.random.default_rng(20240611)
out = {"scipy": __import__("scipy").__version__, "numpy": np.__version__}

# --- KS ----------------------------------------------------------------------------------
ks_cases = []
small_pairs = [(5, 5), (5, 7), (8, 3), (10, 10), (12, 17), (20, 20), (25, 40), (33, 50), (50, 50), (60, 45)]
for n1, n2 in small_pairs:
    for shift in (0.0, 0.5, 1.5):
        a = rng.normal(0, 1, n1).round(6).tolist()
        b = rng.normal(shift, 1, n2).round(6).tolist()
        ks_cases.append({"reference": a, "current": b})
for n1, n2 in [(15, 20), (40, 40), (100, 80)]:  # ties
    a = rng.integers(0, 5, n1).astype(float).tolist()
    b = rng.integers(0, 6, n2).astype(float).tolist()
    ks_cases.append({"reference": a, "current": b})
gen_pairs = [
    (spec(300, 1), spec(400, 2)),
    (spec(500, 3), spec(500, 4, 0.2)),
    (spec(1000, 5), spec(997, 6, 0.1)),
    (spec(800, 7, decimals=1), spec(900, 8, 0.1, decimals=1)),
    (spec(3000, 9), spec(8000, 10, 0.03)),
    (spec(10000, 11), spec(10000, 12, 0.02)),
    (spec(12000, 13), spec(15000, 14)),
    (spec(12000, 15), spec(15000, 16, 0.05)),
    (spec(20000, 17), spec(50, 18)),
    (spec(20000, 19), spec(60, 20, 0.4)),
    (spec(11000, 21), spec(300, 22, 0.1)),
    (spec(10001, 23), spec(10001, 24, 0.01)),
    (spec(30000, 25), spec(2000, 26, 0.06)),
    (spec(15000, 27, decimals=1), spec(12000, 28, 0.05, decimals=1)),
]
for ra, cb in gen_pairs:
    ks_cases.append({"referenceGen": ra, "currentGen": cb})
for c in ks_cases:
    a = c.get("reference") or from_spec(c["referenceGen"])
    b = c.get("current") or from_spec(c["currentGen"])
    r = stats.ks_2samp(a, b)
    c["statistic"] = float(r.statistic)
    c["pValue"] = float(r.pvalue)
    c["wasserstein"] = float(stats.wasserstein_distance(a, b))
    c["normedWasserstein"] = wnorm(a, b)
    c["psi"] = psi(a, b, True)
    c["jensenShannon"] = js(a, b, True)
out["ks"] = ks_cases

# --- KS far tail: p-values from 1e-5 down to 1e-100 and below, exact and asymptotic ---------
ks_tail = []
tail_pairs = [
    (spec(300, 31), spec(400, 32, 0.9)),
    (spec(300, 33), spec(400, 34, 1.5)),
    (spec(300, 35), spec(400, 36, 2.0)),
    (spec(500, 37), spec(450, 38, 1.5)),
    (spec(500, 39), spec(450, 40, 2.0)),
    (spec(2000, 41), spec(1500, 42, 0.6)),
    (spec(2000, 43), spec(1500, 44, 0.9)),
    (spec(600, 45), spec(600, 46, 0.9)),
    (spec(600, 47), spec(600, 48, 1.5)),
    (spec(600, 49), spec(600, 50, 2.0)),
    (spec(9000, 51), spec(10000, 52, 0.3)),
    (spec(20000, 53), spec(15000, 54, 0.3)),
    (spec(12000, 55), spec(800, 56, 0.6)),
    (spec(12000, 57), spec(800, 58, 0.9)),
    (spec(12000, 59), spec(800, 60, 1.2)),
]
for ra, cb in tail_pairs:
    r = stats.ks_2samp(from_spec(ra), from_spec(cb))
    ks_tail.append({"referenceGen": ra, "currentGen": cb, "statistic": float(r.statistic), "pValue": float(r.pvalue)})
out["ksTail"] = ks_tail

# --- kstwo.sf and smirnov across every branch of kolmogn -----------------------------------
kstwo = []
for n in (1, 2, 3, 5, 10, 20, 50, 100, 140, 141, 200, 500, 1000, 5000, 20000, 100000, 200000):
    for x in (0.001, 0.01, 0.02, 0.03, 0.05, 0.08, 0.1, 0.15, 0.2, 0.3, 0.45, 0.5, 0.6, 0.8, 0.95, 0.5 / n + 1e-9, 0.9 / n, 1.5 / n, 3 / n, 1 - 1 / n):
        if 0 < x < 1:
            kstwo.append({"n": n, "x": x, "sf": float(stats.kstwo.sf(x, n))})
out["kstwo"] = kstwo
out["smirnov"] = [
    {"n": n, "x": x, "sf": float(smirnov(n, x))}
    for n in (1, 2, 5, 20, 100, 1000, 10000)
    for x in (0.01, 0.05, 0.1, 0.3, 0.5, 0.7, 0.9)
]
out["chi2sf"] = [
    {"x": x, "df": df, "sf": float(stats.chi2.sf(x, df))}
    for df in (1, 2, 3, 5, 10, 30, 100, 1000)
    for x in (0.0001, 0.1, 0.5, 1, 2, 5, 10, 20, 50, 120, 900, 1100, 1500)
]
out["normal"] = [{"z": z, "p": float(2 * stats.norm.sf(abs(z)))} for z in (-4, -2.5, -1.96, -0.5, 0, 0.3, 1, 1.645, 3, 6)]

# --- categorical ---------------------------------------------------------------------------
cat_cases = []
for n1, n2, k, tilt in [(30, 40, 3, 0.0), (200, 150, 4, 0.0), (200, 150, 4, 0.3), (1000, 800, 6, 0.1), (60, 60, 5, 0.5), (5000, 3000, 8, 0.05)]:
    p = np.ones(k) / k
    q = p.copy()
    q[0] += tilt
    q /= q.sum()
    cats = [f"c{i}" for i in range(k)]
    a = rng.choice(cats, n1, p=p).tolist()
    b = rng.choice(cats, n2, p=q).tolist()
    st, pv = chi(a, b)
    cat_cases.append({"reference": a, "current": b, "chi2": st, "pValue": pv, "psi": psi(a, b, False), "jensenShannon": js(a, b, False)})
# a category present in reference only
a = ["x"] * 20 + ["y"] * 15 + ["z"] * 5
b = ["x"] * 18 + ["y"] * 22
st, pv = chi(a, b)
cat_cases.append({"reference": a, "current": b, "chi2": st, "pValue": pv, "psi": psi(a, b, False), "jensenShannon": js(a, b, False)})
out["categorical"] = cat_cases

z_cases = []
for n1, n2, p1, p2 in [(50, 60, 0.5, 0.5), (200, 180, 0.3, 0.4), (1000, 1000, 0.1, 0.12), (40, 45, 0.9, 0.6), (500, 20, 0.5, 0.8)]:
    a = [bool(v) for v in (rng.random(n1) < p1)]
    b = [bool(v) for v in (rng.random(n2) < p2)]
    z, pv = ztest(a, b)
    z_cases.append({"reference": a, "current": b, "statistic": z, "pValue": pv})
out["zTest"] = z_cases

# numeric with few unique values (value-count binning in PSI / JS)
few = []
for n1, n2 in [(100, 120), (3000, 2000)]:
    a = rng.integers(0, 8, n1).astype(float).tolist()
    b = rng.integers(1, 9, n2).astype(float).tolist()
    few.append({"reference": a, "current": b, "psi": psi(a, b, True), "jensenShannon": js(a, b, True)})
out["fewUnique"] = few

path = os.path.join(os.path.dirname(__file__), "..", "..", "src", "observability", "drift", "testing", "reference.json")
with open(path, "w") as f:
    json.dump(out, f, separators=(",", ":"))
print("wrote", os.path.normpath(path), os.path.getsize(path), "bytes;", len(ks_cases), "ks cases")
