"""The bundled synthetic streams (data/) agree with the ground truth written beside them.

Oracles: scikit-learn's LogisticRegression and KMeans fitted on the files, and brute-force
recomputation from the model JSON. The files are fixed (regenerate them with the commands in
data/README.md), so every figure below is deterministic; the tolerances are the ones a fresh
sample of the same size would pass with overwhelming probability, so a generator change that
keeps its documented law keeps these tests green.
"""
import json
import pathlib

import numpy as np
import pandas as pd
import pytest
from sklearn.cluster import KMeans
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import roc_auc_score

DATA = pathlib.Path(__file__).resolve().parents[2] / "data"


@pytest.fixture(scope="module")
def clicks():
    frame = pd.read_csv(DATA / "clicks.csv")
    model = json.loads((DATA / "clicks.csv.model.json").read_text())
    return frame, model


@pytest.fixture(scope="module")
def sensors():
    frame = pd.read_csv(DATA / "sensors.csv")
    truth = pd.read_csv(DATA / "sensors.csv.truth.csv")
    model = json.loads((DATA / "sensors.csv.model.json").read_text())
    return frame, truth, model


def design(frame, model):
    """Numeric features plus one-hot categoricals with the model's reference levels dropped.

    The categoricals must be in the design: their effects are independent of the numeric
    features, but logistic regression is not collapsible, so leaving them out would shrink
    every numeric weight towards zero and the fit would not recover the true model.
    """
    names = list(model["weights"])
    columns = [frame[n].to_numpy(float) for n in names]
    for cat, effects in model["categorical_effects"].items():
        reference = model["reference_levels"][cat]
        for level in effects:
            if level != reference:
                names.append(f"{cat}={level}")
                columns.append((frame[cat] == level).to_numpy(float))
    truth = [model["weights"][n] for n in model["weights"]]
    for cat, effects in model["categorical_effects"].items():
        truth += [e for level, e in effects.items() if level != model["reference_levels"][cat]]
    return names, np.column_stack(columns), np.array(truth)


def true_logit(frame, model):
    z = np.full(len(frame), model["intercept"])
    for name, w in model["weights"].items():
        z += w * frame[name].to_numpy(float)
    for cat, effects in model["categorical_effects"].items():
        z += frame[cat].map(effects).to_numpy(float)
    return z


def test_clicks_file_is_the_documented_stream(clicks):
    frame, model = clicks
    assert list(frame.columns) == ["event_time", "user", *model["weights"], "device", "ad_category", "clicked"]
    assert len(frame) == model["events"] == 50_000
    times = pd.to_datetime(frame["event_time"], utc=True)
    assert times.is_monotonic_increasing
    assert set(frame["clicked"].unique()) <= {0, 1}
    # Oracle: brute-force recomputation of the model's own summary figures from the file.
    p = 1 / (1 + np.exp(-true_logit(frame, model)))
    assert p.mean() == pytest.approx(model["mean_p_click"], abs=1e-9)
    assert frame["clicked"].mean() == pytest.approx(model["click_rate"], abs=1e-12)
    assert 0.10 <= model["click_rate"] <= 0.30
    # Oracle: scikit-learn's roc_auc_score of the true probabilities; the generator bins them
    # into 2^20 buckets, so the two agree to ~1e-6.
    assert roc_auc_score(frame["clicked"], p) == pytest.approx(model["bayes_auc"], abs=1e-4)


def test_logistic_regression_recovers_the_true_click_model(clicks):
    frame, model = clicks
    names, x, w_true = design(frame, model)
    y = frame["clicked"].to_numpy()
    # C = 1e6: the L2 penalty is ~1e-6 of the log-likelihood's curvature, i.e. plain maximum
    # likelihood, whose estimate is consistent for a correctly specified model.
    fit = LogisticRegression(C=1e6, max_iter=5000, tol=1e-10).fit(x, y)
    w_hat = fit.coef_[0]
    b_hat = fit.intercept_[0]

    # Tolerance from the sample size: the asymptotic standard errors of the MLE, the square
    # roots of the diagonal of (X' W X)^-1 with W = p(1-p) at the fit. With n = 50,000 and a
    # click rate near 0.19 they are 0.01-0.04, so 4 of them is a test that would catch a
    # weight off by 0.1 while a correct generator fails it with probability ~1e-3 at most.
    xa = np.column_stack([np.ones(len(x)), x])
    p_hat = fit.predict_proba(x)[:, 1]
    info = xa.T @ (xa * (p_hat * (1 - p_hat))[:, None])
    se = np.sqrt(np.diag(np.linalg.inv(info)))
    assert se.max() < 0.06, dict(zip(["intercept", *names], se))
    errors = np.concatenate([[b_hat - model["intercept"]], w_hat - w_true])
    for name, err, s in zip(["intercept", *names], errors, se):
        assert abs(err) <= 4 * s, f"{name}: fitted - true = {err:.4f}, 4 SE = {4 * s:.4f}"

    # Held-out quality (oracle: roc_auc_score): the last 20 % of the stream, trained on the first 80 %.
    cut = int(0.8 * len(x))
    held = LogisticRegression(C=1e6, max_iter=5000).fit(x[:cut], y[:cut])
    auc = roc_auc_score(y[cut:], held.predict_proba(x[cut:])[:, 1])
    assert 0.75 <= auc <= 0.90
    assert auc == pytest.approx(model["bayes_auc"], abs=0.02)


def centres_at(model, hours):
    """(n, K, d) true centres at each record's time, in reading units."""
    readings = [r["name"] for r in model["readings"]]
    start = np.array([[c["start"][r] for r in readings] for c in model["clusters"]])
    velocity = np.array([[c["velocity_per_hour"][r] for r in readings] for c in model["clusters"]])
    return start[None, :, :] + velocity[None, :, :] * hours[:, None, None]


def sd_units(frame, model):
    readings = [r["name"] for r in model["readings"]]
    sd = np.array([r["noise_sd"] for r in model["readings"]])
    return frame[readings].to_numpy(float), sd


def hours_since_first(frame, model):
    times = pd.to_datetime(frame["event_time"], utc=True)
    first = pd.Timestamp(model["first_event_time"])
    return ((times - first) / pd.Timedelta(hours=1)).to_numpy(float)


def test_sensor_truth_lines_and_anomaly_rate(sensors):
    frame, truth, model = sensors
    assert list(frame.columns) == ["event_time", "device", "temperature", "vibration", "pressure", "humidity"]
    assert len(frame) == len(truth) == model["events"] == 20_000
    # CSV: the header is line 1, so record i (0-based) is on line i + 2.
    assert (truth["line"].to_numpy() == np.arange(2, len(frame) + 2)).all()
    assert pd.to_datetime(frame["event_time"], utc=True).is_monotonic_increasing
    anomalous = truth["cluster"].to_numpy() == -1
    assert anomalous.sum() == model["anomalies"]
    # Oracle: binomial(n, anomaly_rate); 4 standard errors.
    rate, n = model["anomaly_rate"], len(frame)
    assert abs(anomalous.mean() - rate) <= 4 * np.sqrt(rate * (1 - rate) / n)


def test_anomalies_are_far_from_every_centre_and_the_rest_near_their_own(sensors):
    frame, truth, model = sensors
    values, sd = sd_units(frame, model)
    centres = centres_at(model, hours_since_first(frame, model))
    distance = np.sqrt((((values[:, None, :] - centres) / sd) ** 2).sum(axis=2))  # (n, K), sd units
    label = truth["cluster"].to_numpy()
    anomalous = label == -1
    # The documented rule, up to the 1e-4 rounding of the printed readings.
    threshold = model["anomaly_min_distance"]
    assert threshold == 8
    assert distance[anomalous].min() >= threshold - 1e-3
    # Regular records: their own centre is the nearest one, and within 6 sd units (a chi
    # variable with 4 degrees of freedom exceeds 6 with probability 3e-7 per record).
    normal = ~anomalous
    own = distance[normal, label[normal]]
    assert (np.argmin(distance[normal], axis=1) == label[normal]).all()
    assert own.max() < 6.0


def test_kmeans_finds_the_start_centres_in_the_first_tenth(sensors):
    frame, truth, model = sensors
    values, sd = sd_units(frame, model)
    head = np.arange(len(frame)) < len(frame) // 10
    keep = head & (truth["cluster"].to_numpy() != -1)
    k = len(model["clusters"])
    # Oracle: scikit-learn's KMeans on readings scaled to sd units (the clusters' own metric).
    fit = KMeans(n_clusters=k, n_init=10, random_state=0).fit(values[keep] / sd)
    readings = [r["name"] for r in model["readings"]]
    start = np.array([[c["start"][r] for r in readings] for c in model["clusters"]]) / sd
    gap = np.sqrt(((fit.cluster_centers_[:, None, :] - start[None, :, :]) ** 2).sum(axis=2))
    nearest = gap.argmin(axis=1)
    assert sorted(nearest) == list(range(k)), "each true centre is found exactly once"
    # Tolerance 0.5 sd units: over the first tenth each centre drifts 0.1 * drift = 0.3 sd
    # units, so the window's mean lies ~0.15 from the start centre; the sampling error of a
    # mean over >= 300 points is ~sqrt(4 / 300) = 0.12 in 4 dimensions.
    assert model["drift_sd_units"] == 3
    assert gap[np.arange(k), nearest].max() < 0.5
