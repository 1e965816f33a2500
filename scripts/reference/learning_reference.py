#!/usr/bin/python3
"""Generate the reference JSON files for src/evaluation and src/learning.

Run with Debian's python3 (scikit-learn, numpy, onnx):  /usr/bin/python3 scripts/reference/learning_reference.py
Tests only read the JSON written here; they never call Python.

Writes
  src/evaluation/testing/reference.json        metric cases computed by sklearn.metrics
  src/learning/testing/datasets/*.json         breast_cancer, digits, diabetes with a fixed split
  src/learning/testing/reference.json          sklearn defaults' test scores on those splits
  src/learning/testing/fixtures/*.onnx (+json) small ONNX models and numpy-computed outputs
"""
import json
import os

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper
from sklearn import datasets, metrics
from sklearn.linear_model import LogisticRegression, Ridge
from sklearn.model_selection import train_test_split
from sklearn.naive_bayes import GaussianNB
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', '..')
EVAL_DIR = os.path.join(ROOT, 'src', 'evaluation', 'testing')
LEARN_DIR = os.path.join(ROOT, 'src', 'learning', 'testing')
SEED = 42


def dump(path, obj):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, 'w') as f:
        json.dump(obj, f, separators=(',', ':'))
        f.write('\n')


# ---------------------------------------------------------------- evaluation metrics
def metric_cases():
    rng = np.random.default_rng(SEED)
    cases = []
    for i in range(6):
        n = int(rng.integers(20, 80))
        y = rng.integers(0, 2, n)
        p = np.clip(0.35 * y + rng.random(n) * 0.65, 0, 1)
        if i == 0:
            p = np.round(p, 1)  # ties in scores
        yhat = (p >= 0.5).astype(int)
        yt, yp = y.tolist(), yhat.tolist()
        cases.append({
            'kind': 'binary', 'yTrue': yt, 'yPred': yp, 'scores': p.tolist(),
            'accuracy': metrics.accuracy_score(yt, yp),
            'precisionBinary': metrics.precision_score(yt, yp, zero_division=0),
            'recallBinary': metrics.recall_score(yt, yp, zero_division=0),
            'f1Binary': metrics.f1_score(yt, yp, zero_division=0),
            'precisionMacro': metrics.precision_score(yt, yp, average='macro', zero_division=0),
            'recallMacro': metrics.recall_score(yt, yp, average='macro', zero_division=0),
            'f1Macro': metrics.f1_score(yt, yp, average='macro', zero_division=0),
            'rocAuc': metrics.roc_auc_score(yt, p),
            'logLoss': metrics.log_loss(yt, p),
            'brierScore': metrics.brier_score_loss(yt, p),
        })
    labels = ['cat', 'dog', 'eel', 'fox']
    for i in range(4):
        n = int(rng.integers(30, 90))
        y = rng.integers(0, 4, n)
        logits = rng.normal(size=(n, 4)) + 1.5 * np.eye(4)[y]
        probs = np.exp(logits) / np.exp(logits).sum(axis=1, keepdims=True)
        yhat = probs.argmax(axis=1)
        if i == 3:
            yhat[yhat == 3] = 2  # a class never predicted: zero_division
        yt = [labels[k] for k in y]
        yp = [labels[k] for k in yhat]
        cases.append({
            'kind': 'multiclass', 'labels': labels, 'yTrue': yt, 'yPred': yp, 'proba': probs.tolist(),
            'accuracy': metrics.accuracy_score(yt, yp),
            'precisionMacro': metrics.precision_score(yt, yp, average='macro', zero_division=0),
            'recallMacro': metrics.recall_score(yt, yp, average='macro', zero_division=0),
            'f1Macro': metrics.f1_score(yt, yp, average='macro', zero_division=0),
            'rocAucOvr': metrics.roc_auc_score(yt, probs, multi_class='ovr', average='macro', labels=labels),
            'logLoss': metrics.log_loss(yt, probs, labels=labels),
        })
    for i in range(5):
        n = int(rng.integers(10, 60))
        y = rng.normal(50, 20, n)
        if i == 0:
            y[0] = 0.0  # mape divides by max(|y|, eps)
        yhat = y + rng.normal(0, 8, n)
        cases.append({
            'kind': 'regression', 'yTrue': y.tolist(), 'yPred': yhat.tolist(),
            'mae': metrics.mean_absolute_error(y, yhat),
            'rmse': float(np.sqrt(metrics.mean_squared_error(y, yhat))),
            'mape': metrics.mean_absolute_percentage_error(y, yhat),
            'r2': metrics.r2_score(y, yhat),
        })
    return {'generator': 'scripts/reference/learning_reference.py', 'sklearn': __import__('sklearn').__version__,
            'cases': cases}


# ---------------------------------------------------------------- datasets + sklearn scores
def dataset(name, bunch, classification, digits=8):
    x = np.round(bunch.data.astype(float), digits)
    y = bunch.target
    idx = np.arange(len(y))
    tr, te = train_test_split(idx, test_size=0.25, random_state=SEED,
                              stratify=y if classification else None)
    dump(os.path.join(LEARN_DIR, 'datasets', f'{name}.json'), {
        'name': name, 'task': 'classification' if classification else 'regression',
        'featureNames': [str(f) for f in getattr(bunch, 'feature_names', [f'f{i}' for i in range(x.shape[1])])],
        'x': [[float(v) if v % 1 else int(v) for v in row] for row in x],
        'y': y.tolist(), 'trainIndex': tr.tolist(), 'testIndex': te.tolist(),
    })
    return x, y, tr, te


def learner_reference():
    ref = {'generator': 'scripts/reference/learning_reference.py', 'split': 'train_test_split(test_size=0.25, random_state=42, stratify for classification)',
           'datasets': {}}
    for name, bunch in (('breast_cancer', datasets.load_breast_cancer()), ('digits', datasets.load_digits())):
        x, y, tr, te = dataset(name, bunch, True)
        lr = make_pipeline(StandardScaler(), LogisticRegression()).fit(x[tr], y[tr])
        nb = GaussianNB().fit(x[tr], y[tr])
        ref['datasets'][name] = {
            'logisticRegressionAccuracy': float(lr.score(x[te], y[te])),
            'gaussianNbAccuracy': float(nb.score(x[te], y[te])),
        }
    x, y, tr, te = dataset('diabetes', datasets.load_diabetes(), False, digits=10)
    ridge = Ridge().fit(x[tr], y[tr])
    ridge_scaled = make_pipeline(StandardScaler(), Ridge()).fit(x[tr], y[tr])
    ref['datasets']['diabetes'] = {
        'ridgeR2': float(ridge.score(x[te], y[te])),
        'ridgeScaledR2': float(ridge_scaled.score(x[te], y[te])),
    }
    dump(os.path.join(LEARN_DIR, 'reference.json'), ref)


# ---------------------------------------------------------------- ONNX fixtures
def onnx_fixtures():
    rng = np.random.default_rng(7)
    fx = os.path.join(LEARN_DIR, 'fixtures')
    os.makedirs(fx, exist_ok=True)
    n_in, n_cls = 4, 3
    w = rng.normal(size=(n_in, n_cls)).astype(np.float32)
    b = rng.normal(size=(n_cls,)).astype(np.float32)
    graph = helper.make_graph(
        [helper.make_node('MatMul', ['input', 'W'], ['xw']),
         helper.make_node('Add', ['xw', 'B'], ['logits']),
         helper.make_node('Softmax', ['logits'], ['probabilities'], axis=1)],
        'linear_classifier',
        [helper.make_tensor_value_info('input', TensorProto.FLOAT, ['N', n_in])],
        [helper.make_tensor_value_info('probabilities', TensorProto.FLOAT, ['N', n_cls])],
        [numpy_helper.from_array(w, 'W'), numpy_helper.from_array(b, 'B')])
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid('', 13)], producer_name='apprentice-reference')
    model.ir_version = 8
    onnx.checker.check_model(model)
    onnx.save(model, os.path.join(fx, 'linear-classifier.onnx'))
    xs = rng.normal(size=(8, n_in)).astype(np.float32)
    logits = xs @ w + b
    e = np.exp(logits - logits.max(axis=1, keepdims=True))
    probs = e / e.sum(axis=1, keepdims=True)

    wr = rng.normal(size=(n_in, 1)).astype(np.float32)
    br = rng.normal(size=(1,)).astype(np.float32)
    rgraph = helper.make_graph(
        [helper.make_node('MatMul', ['input', 'W'], ['xw']), helper.make_node('Add', ['xw', 'B'], ['variable'])],
        'linear_regressor',
        [helper.make_tensor_value_info('input', TensorProto.FLOAT, ['N', n_in])],
        [helper.make_tensor_value_info('variable', TensorProto.FLOAT, ['N', 1])],
        [numpy_helper.from_array(wr, 'W'), numpy_helper.from_array(br, 'B')])
    rmodel = helper.make_model(rgraph, opset_imports=[helper.make_opsetid('', 13)], producer_name='apprentice-reference')
    rmodel.ir_version = 8
    onnx.checker.check_model(rmodel)
    onnx.save(rmodel, os.path.join(fx, 'linear-regressor.onnx'))
    dump(os.path.join(fx, 'expected.json'), {
        'classes': ['low', 'mid', 'high'], 'featureCount': n_in,
        'inputs': xs.astype(float).tolist(),
        'classifierProba': probs.astype(float).tolist(),
        'classifierLabelIndex': probs.argmax(axis=1).tolist(),
        'regressorOutput': (xs @ wr + br)[:, 0].astype(float).tolist(),
    })


if __name__ == '__main__':
    dump(os.path.join(EVAL_DIR, 'reference.json'), metric_cases())
    learner_reference()
    onnx_fixtures()
    print('ok')
