#!/usr/bin/env python3
"""Plots bench/scale.sh's CSV: each figure against the number of apps, one line per number of nodes, log-log."""
import csv
import sys

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

rows = list(csv.DictReader(open(sys.argv[1])))
figures = [
    ("deploy_ms_per_app", "deploy, ms per app"),
    ("list_p99_ms", "GET /v1/apps p99, ms"),
    ("one_p99_ms", "GET /v1/apps/{id} p99, ms"),
    ("list_rps", "GET /v1/apps requests/s"),
    ("reconcile_every_ms", "reconcile pass over every app, ms"),
    ("reconcile_changed_ms", "reconcile pass after one change, ms"),
    ("tick_median_ms", "scaling loop tick (median), ms"),
    ("heap_kib_per_app", "heap after GC per app, KiB"),
]
fig, axes = plt.subplots(2, 4, figsize=(16, 7))
for axis, (key, title) in zip(axes.flat, figures):
    for nodes in sorted({row["nodes"] for row in rows}, key=int):
        points = [(int(r["apps"]), float(r[key])) for r in rows if r["nodes"] == nodes and r[key] not in ("", "?")]
        if points:
            axis.plot(*zip(*points), marker="o", label=f"{nodes} nodes")
    axis.set_xscale("log")
    axis.set_yscale("log")
    axis.set_title(title, fontsize=10)
    axis.set_xlabel("apps")
    axis.grid(True, which="both", alpha=0.3)
    axis.legend(fontsize=8)
fig.suptitle("EMP control plane against the number of apps (bench/scale.sh, simulated cluster)")
fig.tight_layout()
fig.savefig(sys.argv[2], dpi=90)
