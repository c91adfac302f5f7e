"""The decision system from Python: run it, and write its report with plots.

    python3 -m streamml.demo [--data data/demo] [--out build/demo] [--resume] [--report-only]

runs the same C++ system as `streamml demo` (three lanes on one event-time clock, decisions to
file sinks, checkpoints; apps/decision_system.h), prints the judged summary, then writes
<out>/report.html with PNG plots (matplotlib) from what the sinks wrote and the streams' truth:

    import streamml.demo
    summary = streamml.demo.run_decision_system("data/demo", "/tmp/demo")
    summary["figures"]["clicks"]["auc"]
    streamml.demo.write_report("data/demo", "/tmp/demo")   # /tmp/demo/report.html
"""
import argparse
import html
import json
import os

import numpy as np

from ._streamml import _run_decision_system


def run_decision_system(data="data/demo", out="build/demo", checkpoint_every=240, resume=False, speed=0.0,
                        progress=True):
    """Runs the decision system on the recorded streams in `data`; returns summary.json as a dict
    ({"run": {...}, "figures": {"clicks", "anomalies", "scaling", "churn", "retention"}})."""
    return json.loads(_run_decision_system(os.fspath(data), os.fspath(out), int(checkpoint_every), bool(resume),
                                           float(speed), bool(progress)))


DAY = np.timedelta64(1, "D")


def _figure(rows, cols, figsize, **kw):
    """A figure outside pyplot's global state: saved to a file, never shown, whatever the backend."""
    from matplotlib.figure import Figure
    fig = Figure(figsize=figsize)
    return fig, fig.subplots(rows, cols, **kw)


def _aligned(records, decisions, key, columns):
    """The decisions' columns in the records' row order, matched by (event time, key) and the
    order among equal pairs: a lane reading a topic (--kafka) writes in its merge order."""
    import pandas as pd
    def keyed(frame, k):
        t = pd.to_datetime(frame["event_time"], utc=True)
        out = pd.DataFrame({"t": t, "k": frame[k].astype(str)})
        out["n"] = out.groupby(["t", "k"]).cumcount()
        return out
    left = keyed(records, key)
    right = keyed(decisions, "key")
    for c in columns:
        right[c] = decisions[c].to_numpy()
    merged = left.merge(right, on=["t", "k", "n"], how="left", validate="one_to_one")
    if len(decisions) != len(records) or merged[columns].isna().any().any():
        raise ValueError(f"{len(decisions)} decisions do not match the {len(records)} records one to one")
    return merged[columns]


def load(data, out):
    import pandas as pd
    clicks = pd.read_csv(os.path.join(data, "clicks.csv"), parse_dates=["event_time"])
    scores = pd.read_csv(os.path.join(out, "decisions", "clicks_scores.csv"))
    clicks["score"] = _aligned(clicks, scores, "user", ["ctr.probability"])["ctr.probability"].to_numpy()
    mon = pd.read_csv(os.path.join(data, "monitoring.csv"), parse_dates=["event_time"])
    truth = pd.read_csv(os.path.join(data, "monitoring.csv.truth.csv"))
    dec = pd.read_csv(os.path.join(out, "decisions", "monitoring_decisions.csv"))
    for col in ["burst", "incident", "offline_instances", "need"]:
        mon[col] = truth[col].to_numpy()
    cols = ["monitor.anomaly", "monitor.deviation", "autoscale.instances"]
    aligned = _aligned(mon, dec, "service", cols)
    for col in cols:
        mon[col] = aligned[col].to_numpy()
    with open(os.path.join(out, "summary.json")) as f:
        summary = json.load(f)
    with open(os.path.join(data, "monitoring.csv.model.json")) as f:
        platform = json.load(f)
    return clicks, mon, summary, platform


def plot_ctr(clicks, summary, path):
    from sklearn.metrics import roc_auc_score
    day = ((clicks["event_time"] - clicks["event_time"].iloc[0]) / DAY).astype(int)
    days = sorted(day.unique())
    daily = [roc_auc_score(clicks["clicked"][day == d], clicks["score"][day == d]) for d in days]
    fig, (a, b) = _figure(1, 2, figsize=(11, 3.6))
    a.plot(days, daily, marker=".", label="scores of the day (before learning them)")
    a.axhline(summary["figures"]["clicks"]["bayes_auc"], color="k", ls="--", label="the true model")
    a.axhline(summary["figures"]["clicks"]["auc"], color="C1", ls=":", label="whole stream")
    a.set(xlabel="day", ylabel="ROC AUC", title="Click-through model, test-then-train", ylim=(0.5, 0.95))
    a.legend(loc="lower right", fontsize=8)
    bins = np.quantile(clicks["score"], np.linspace(0, 1, 11))
    which = np.clip(np.searchsorted(bins, clicks["score"], side="right") - 1, 0, 9)
    pred = [clicks["score"][which == k].mean() for k in range(10)]
    seen = [clicks["clicked"][which == k].mean() for k in range(10)]
    b.plot([0, 1], [0, 1], color="k", ls="--", lw=1)
    b.plot(pred, seen, marker="o")
    b.set(xlabel="predicted click probability (decile mean)", ylabel="observed click rate",
          title="Calibration", xlim=(0, 0.8), ylim=(0, 0.8))
    fig.tight_layout()
    fig.savefig(path, dpi=90)


def plot_anomalies(mon, path):
    services = sorted(mon["service"].unique())
    fig, axes = _figure(len(services), 1, figsize=(11, 1.2 * len(services) + 0.8), sharex=True)
    for ax, s in zip(axes, services):
        m = mon[mon["service"] == s]
        t = m["event_time"]
        truth = (m["burst"] > 0) | (m["incident"] > 0)
        ax.fill_between(t, 0, 1, where=truth.to_numpy(), color="C3", alpha=0.25, step="mid",
                        transform=ax.get_xaxis_transform(), label="injected")
        ax.plot(t, m["monitor.deviation"], lw=0.6, color="C0", label="deviation |log(x / median)|")
        flagged = m["monitor.anomaly"] > 0
        ax.scatter(t[flagged], m["monitor.deviation"][flagged], s=9, color="C3", zorder=3, label="flagged")
        ax.set_ylabel(f"svc {s}", rotation=0, labelpad=18, fontsize=8)
        ax.set_ylim(0, 1.0)
        ax.tick_params(labelsize=7)
    axes[0].legend(loc="upper left", fontsize=7, ncol=3)
    axes[0].set_title("Anomalies: DBSCAN noise points vs the injected bursts and incident")
    fig.tight_layout()
    fig.savefig(path, dpi=90)


def in_effect(mon, platform):
    """The counts in effect each hour: the decision made after the hour before."""
    services = platform["services"]
    decided = mon["autoscale.instances"].to_numpy().reshape(-1, services)
    first = np.full((1, services), platform["min_instances"])
    return np.vstack([first, decided[:-1]])


def plot_scaling(mon, summary, platform, path):
    services = platform["services"]
    counts = in_effect(mon, platform)
    offline = mon["offline_instances"].to_numpy().reshape(-1, services)
    need = mon["need"].to_numpy().reshape(-1, services)
    hours = np.arange(counts.shape[0])
    s = platform["incident"]["service"]
    lo, hi = platform["incident"]["first_window"] - 72, platform["incident"]["end_window"] + 48
    fig, (a, b) = _figure(1, 2, figsize=(11, 3.6))
    a.plot(hours / 24, counts.sum(axis=1), lw=0.7, label="auto-scaler (in effect)")
    a.plot(hours / 24, offline.sum(axis=1), lw=0.7, label="offline optimum")
    a.set(xlabel="day", ylabel="instances, all services", title="Instances over the two months")
    a.legend(fontsize=8)
    sl = slice(lo, hi)
    b.step(hours[sl] / 24, counts[sl, s], where="post", label="auto-scaler")
    b.step(hours[sl] / 24, offline[sl, s], where="post", label="offline optimum")
    b.step(hours[sl] / 24, need[sl, s], where="post", ls=":", color="k", label="need (DS2 on true rates)")
    b.axvspan(platform["incident"]["first_window"] / 24, platform["incident"]["end_window"] / 24,
              color="C3", alpha=0.15, label="incident")
    f = summary["figures"]["scaling"]
    b.set(xlabel="day", ylabel="instances", title=f"Service {s} around its incident "
          f"(cost {100 * f['cost_over_offline']:+.1f} % vs optimum)")
    b.legend(fontsize=7)
    fig.tight_layout()
    fig.savefig(path, dpi=90)


def load_churn(data, out):
    """Each day's risks (decisions/churn_risks.csv) joined with the truth of that day's end: p30
    (0 for a customer already gone) and left30 (NaN while not known)."""
    import pandas as pd
    risks = pd.read_csv(os.path.join(out, "decisions", "churn_risks.csv"))
    risks["day"] = (risks["batch"] + 1) // 24 - 1
    truth = pd.read_csv(os.path.join(data, "transactions.csv.truth_daily.csv"))
    origin = pd.Timestamp("2026-01-01", tz="UTC")
    truth["day"] = (pd.to_datetime(truth["day"]) - origin).dt.days
    days = risks.merge(truth[["day", "customer", "p30", "left30"]], on=["day", "customer"], how="left")
    days["p30"] = days["p30"].fillna(0.0)
    return days


def plot_churn(days, summary, path):
    from sklearn.metrics import roc_auc_score
    known = days[days["left30"].notna()]
    per_day = [(d, roc_auc_score(g["left30"], g["risk"]), roc_auc_score(g["left30"], g["p30"]))
               for d, g in known.groupby("day") if 0 < g["left30"].sum() < len(g)]
    c, r = summary["figures"]["churn"], summary["figures"]["retention"]
    fig, (a, b) = _figure(1, 2, figsize=(11, 3.6))
    a.plot([x[0] for x in per_day], [x[1] for x in per_day], marker=".", label="churn model (delayed labels)")
    a.plot([x[0] for x in per_day], [x[2] for x in per_day], color="k", ls="--", label="true probabilities (p30)")
    a.axvline(c["warmup_days"], color="C1", ls=":", label=f"AUC {c['auc']:.3f} from day {c['warmup_days']}")
    a.set(xlabel="day", ylabel="ROC AUC (left within 30 days)", title="Churn risk of every customer, each day's end",
          ylim=(0.4, 1.0))
    a.legend(loc="lower right", fontsize=8)
    d = r["daily"]
    for key, label, style in [("optimum", "offline optimum (true p30)", dict(color="k", ls="--")),
                              ("captured", "MIP on the model's risks", dict(color="C0")),
                              ("naive", "naive: riskiest first, biggest offer", dict(color="C3"))]:
        b.plot(d["day"], np.cumsum(d[key]), label=label, **style)
    b.axhline(0, color="#888", lw=0.6)
    b.set(xlabel="day", ylabel="expected value saved - cost (cumulative)",
          title=f"Retention budget ({r['budget']:.0f} a day): {100 * r['captured_share']:.1f} % of the optimum")
    b.legend(loc="upper left", fontsize=8)
    fig.tight_layout()
    fig.savefig(path, dpi=90)


PAGE = """<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>streamml decision system</title>
<style>
body {{ font-family: sans-serif; max-width: 1040px; margin: 2em auto; color: #222; }}
table {{ border-collapse: collapse; margin: 1em 0; }}
td, th {{ border: 1px solid #ccc; padding: 4px 10px; text-align: left; }}
figure {{ margin: 1.5em 0; }} img {{ max-width: 100%; border: 1px solid #eee; }}
figcaption {{ color: #555; font-size: 0.9em; }}
</style></head>
<body data-images="{count}">
<h1>streamml: the real-time decision system</h1>
<p>{hours} hours of event time on one micro-batch clock ({wall:.1f} s of wall time): clicks scored by
online logistic regression before it learns from them; service monitoring turned into anomaly flags
(sliding-window DBSCAN on each service's deviation from its usual level at that hour) and instance
counts (DS2's rate rule, a stabilisation window); customer transactions turned into churn risks
(activity and ALS taste features, a logistic model learned from labels that mature 30 days late)
and, at each day's end, a retention budget allocated by a MIP. Every figure is judged against the
streams' truth.</p>
<table>
<tr><th>decision</th><th>figure</th><th>against</th></tr>
{rows}
</table>
{figures}
<script>
// For tests in a headless browser: how many plots loaded (a PNG that failed has naturalWidth 0).
window.addEventListener("load", function () {{
  var imgs = Array.from(document.images);
  var ok = imgs.filter(function (i) {{ return i.complete && i.naturalWidth > 0; }}).length;
  document.body.setAttribute("data-images-loaded", String(ok));
}});
</script>
</body></html>
"""


def write_report(data="data/demo", out="build/demo"):
    """Writes <out>/report.html and its PNG plots from a finished run's outputs; returns its path."""
    clicks, mon, summary, platform = load(data, out)
    days = load_churn(data, out)
    f = summary["figures"]
    plots = [
        ("ctr.png", plot_ctr, (clicks, summary),
         "Click-through: the AUC of each day's scores, each made before the model saw that click, "
         "and their calibration."),
        ("anomalies.png", plot_anomalies, (mon,),
         "Monitoring: each service's largest deviation from the median of the same hour over the "
         "last 7 days; red points are flagged, red bands injected (bursts, the incident)."),
        ("scaling.png", plot_scaling, (mon, summary, platform),
         "Auto-scaling: the instances in effect against the optimal offline plan, which knew every "
         "hour's true rates in advance."),
        ("churn.png", plot_churn, (days, summary),
         "Churn: the AUC of each day's risks against who left within 30 days (known 30 days later), "
         "beside the true probabilities'; the retention offers valued with the true probabilities, "
         "against the same MIP given them and a naive top-risk rule."),
    ]
    for name, fn, fargs, _ in plots:
        fn(*fargs, os.path.join(out, name))
    c, a, s, ch, r = f["clicks"], f["anomalies"], f["scaling"], f["churn"], f["retention"]
    rows = [
        ("CTR scores", f"AUC {c['auc']:.3f} over {c['impressions']:,} impressions",
         f"the true model's AUC {c['bayes_auc']:.3f}"),
        ("anomaly flags", f"precision {a['precision']:.3f}, recall {a['recall']:.3f}; "
         f"{a['episodes_found']} of {a['episodes']} episodes found", f"{a['injected_hours']} injected service-hours"),
        ("instance counts", f"cost {s['cost']:,.1f} ({100 * s['cost_over_offline']:+.1f} %)",
         f"offline optimum {s['offline_cost']:,.1f}; unmet demand in {s['unmet_hours_outside_incident']} hours "
         f"outside the incident, {s['unmet_hours_in_incident']} of its {s['incident_hours']}"),
        ("churn risks", f"AUC {ch['auc']:.3f} from day {ch['warmup_days']} over {ch['customer_days']:,} customer-days",
         f"the true probabilities' AUC {ch['oracle_auc']:.3f}"),
        ("retention offers", f"{r['offers']:,} offers over {r['days']} days, {r['spent']:,.0f} spent: value "
         f"{r['captured']:,.0f} ({100 * r['captured_share']:.1f} % of the optimum)",
         f"offline optimum {r['optimum']:,.0f}; naive top-risk rule {r['naive']:,.0f}"),
    ]
    table = "\n".join("<tr>" + "".join(f"<td>{html.escape(str(x))}</td>" for x in r) + "</tr>" for r in rows)
    figures = "\n".join(
        f'<figure><img src="{name}" alt="{name}"><figcaption>{html.escape(cap)}</figcaption></figure>'
        for name, _, _, cap in plots)
    page = PAGE.format(count=len(plots), hours=summary["run"]["ticks"], wall=summary["run"]["wall_seconds"],
                       rows=table, figures=figures)
    path = os.path.join(out, "report.html")
    with open(path, "w") as out:
        out.write(page)
    return path


def main(argv=None):
    parser = argparse.ArgumentParser(prog="python3 -m streamml.demo", description=__doc__.splitlines()[0])
    parser.add_argument("--data", default="data/demo", help="the recorded streams and their truth")
    parser.add_argument("--out", default="build/demo", help="decisions/, summary.json, report.html")
    parser.add_argument("--checkpoint-every", type=int, default=240, help="batches (hours); 0: none")
    parser.add_argument("--resume", action="store_true", help="go on from the newest checkpoints")
    parser.add_argument("--speed", type=float, default=0.0, help="x the recorded pace (0: as fast as possible)")
    parser.add_argument("--report-only", action="store_true", help="only write the report of an earlier run")
    args = parser.parse_args(argv)
    if not args.report_only:
        f = run_decision_system(args.data, args.out, args.checkpoint_every, args.resume, args.speed)["figures"]
        c, a, s, ch, r = f["clicks"], f["anomalies"], f["scaling"], f["churn"], f["retention"]
        print(f"clicks      AUC {c['auc']:.3f} (the true model's {c['bayes_auc']:.3f})")
        print(f"anomalies   precision {a['precision']:.3f}, recall {a['recall']:.3f}, "
              f"{a['episodes_found']} of {a['episodes']} episodes")
        print(f"scaling     cost {100 * s['cost_over_offline']:+.1f} % vs the offline optimum")
        print(f"churn       AUC {ch['auc']:.3f} (the true probabilities' {ch['oracle_auc']:.3f})")
        print(f"retention   {100 * r['captured_share']:.1f} % of the offline optimum (naive rule: "
              f"{r['naive']:,.0f} vs the MIP's {r['captured']:,.0f})")
    print(f"report: {write_report(args.data, args.out)}")


if __name__ == "__main__":
    main()
