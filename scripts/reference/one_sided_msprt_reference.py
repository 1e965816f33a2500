#!/usr/bin/env python3
"""Reference values of the one-sided (loss) mixture SPRT in
src/experiments/stats/one-sided-sequential.ts, by direct numerical integration of the mixture
of normal likelihood ratios over a half-normal prior on theta - theta0 < 0 (scipy.integrate.quad),
and the upper bound of the one-sided confidence sequence by root finding (scipy.optimize.brentq).
Writes src/experiments/stats/testing/one-sided-reference.json."""
import json
import math
from pathlib import Path

from scipy import integrate, optimize, stats


def log_ratio(d, v, tau):
    # Lambda = int_{-inf}^0 exp((x*t - t^2/2)/v) * 2 * phi(t / tau) / tau dt, with x = d.
    def log_f(t):
        return (d * t - t * t / 2) / v + math.log(2) + stats.norm.logpdf(t / tau) - math.log(tau)
    # Centre the integration on the integrand's mode and scale by its peak to stay in range.
    mode = min(0.0, d * tau * tau / (v + tau * tau))
    sd = math.sqrt(v * tau * tau / (v + tau * tau))
    peak = log_f(mode)
    lo = mode - 40 * sd
    hi = min(0.0, mode + 40 * sd)
    val, _ = integrate.quad(lambda t: math.exp(log_f(t) - peak), lo, hi, epsabs=0, epsrel=1e-12, limit=500)
    return peak + math.log(val)


cases = []
for d in (-0.3, -0.1, -0.05, -0.01, 0.0, 0.02):
    for v in (1e-4, 1e-3, 1e-2):
        for tau in (0.02, 0.05, 0.1):
            lr = log_ratio(d, v, tau)
            case = {"difference": d, "variance": v, "tau": tau, "logRatio": lr}
            alpha = 0.05
            # Upper bound U: largest theta0 with log Lambda(d - theta0) < log(1/alpha).
            g = lambda th: log_ratio(d - th, v, tau) - math.log(1 / alpha)
            span = 20 * math.sqrt(v)
            case["alpha"] = alpha
            case["upperBound"] = optimize.brentq(g, d - span, d + span, xtol=1e-14, rtol=1e-12)
            cases.append(case)

out = Path(__file__).resolve().parents[2] / "src/experiments/stats/testing/one-sided-reference.json"
out.write_text(json.dumps({"generator": "scripts/reference/one_sided_msprt_reference.py", "cases": cases}, indent=1) + "\n")
print(f"wrote {len(cases)} cases to {out}")
