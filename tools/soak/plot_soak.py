"""Plots a soak run's samples (streamml_soak's soak_<kind>.csv): resident memory, checkpoint
sizes and throughput against records, one panel each, into a PNG beside the CSV.

    /usr/bin/python3 tools/soak/plot_soak.py build/soak/soak_logreg.csv [more.csv ...]
"""
import csv
import sys

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402


def plot(path):
    with open(path, newline="") as f:
        rows = list(csv.DictReader(f))
    rows = rows[:-1]  # the last sample is taken after the end of the stream
    records = [int(r["records"]) for r in rows]
    ckpt = [k for k in rows[0] if k.endswith("_checkpoint_bytes")]
    panels = 3 + (rows[0]["store_cells"] != "-1")
    fig, axes = plt.subplots(panels, 1, figsize=(9, 2.6 * panels), sharex=True)
    axes[0].plot(records, [float(r["rss_mb"]) for r in rows])
    axes[0].set_ylabel("RSS (MB)")
    axes[0].set_ylim(bottom=0)
    for k in ckpt:
        axes[1].plot(records, [int(r[k]) / 1e3 for r in rows], label=k[: -len("_checkpoint_bytes")])
    axes[1].set_ylabel("checkpoint (kB)")
    axes[1].set_ylim(bottom=0)
    axes[1].legend(loc="lower right")
    axes[2].plot(records, [int(r["records_per_second"]) / 1e3 for r in rows], linewidth=0.5)
    axes[2].set_ylabel("records/s (thousands)")
    axes[2].set_ylim(bottom=0)
    if panels == 4:
        axes[3].plot(records, [int(r["store_cells"]) for r in rows])
        axes[3].set_ylabel("store cells")
        axes[3].set_ylim(bottom=0)
    axes[-1].set_xlabel("records")
    fig.suptitle(path)
    fig.tight_layout()
    out = path[: -len(".csv")] + ".png"
    fig.savefig(out, dpi=100)
    print(out)


if __name__ == "__main__":
    for p in sys.argv[1:]:
        plot(p)
