#!/usr/bin/python3
"""Generate src/observability/drift-monitoring/testing/concept-reference.json from scipy.

Run: /usr/bin/python3 scripts/reference/concept_drift_reference.py
Each case: served outcomes scored for the model and the rules (label 1/0), the one-sided
z statistics of the concept-drift monitor (scipy.stats.ttest_1samp's statistic: sample sd,
ddof 1) and their lower-tail normal p-values (scipy.stats.norm.cdf).
"""
import json
import os

import numpy as np
from scipy import stats

cases = []
rng = np.random.default_rng(16)
for (n, pm, pr, reg, drop) in [(30, 0.6, 0.8, 0.85, 0.05), (100, 0.78, 0.8, 0.8, 0.05), (100, 0.7, 0.72, 0.9, 0.05), (60, 0.5, 0.7, 0.75, 0.1), (200, 0.82, 0.7, 0.8, 0.05)]:
    model = (rng.random(n) < pm).astype(float)
    rules = (rng.random(n) < pr).astype(float)
    diff = model - rules
    zr = stats.ttest_1samp(diff, 0.0).statistic
    zg = stats.ttest_1samp(model, reg - drop).statistic
    cases.append({
        'model': model.tolist(), 'rules': rules.tolist(), 'registration': reg, 'minDrop': drop,
        'rulesZ': float(zr), 'rulesP': float(stats.norm.cdf(zr)),
        'registrationZ': float(zg), 'registrationP': float(stats.norm.cdf(zg)),
    })
out = os.path.join(os.path.dirname(__file__), '..', '..', 'src', 'observability', 'drift-monitoring', 'testing', 'concept-reference.json')
with open(out, 'w') as f:
    json.dump({'generator': 'scripts/reference/concept_drift_reference.py', 'scipy': __import__('scipy').__version__, 'cases': cases}, f)
    f.write('\n')
