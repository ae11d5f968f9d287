"""Time the city brief of the demo city (HTML and PDF) from the store.

Builds the Helsinki demo workspace once (not part of the timing), then for each language times
the whole ``libpolis.pipeline.run_report`` (evidence from the store, charts, maps, HTML, Typst
PDF), and, for English, each stage on its own. Target: under 20 s per language on a 2-core machine.

    .venv/bin/python benchmarks/brief.py [--repeat 3]
"""

from __future__ import annotations

import argparse
import os
import statistics
import tempfile
import time
from datetime import date
from pathlib import Path

from libpolis.demo import build_demo_workspace
from libpolis.pipeline import ReportRequest, evidence_of, run_report
from libpolis.report.brief import render_html, render_pdf
from libpolis.report.document import build_document
from libpolis.report.i18n import get_lang
from libpolis.store import open_store


def _best(times: list[float]) -> str:
    return f"median {statistics.median(times):6.2f} s  (min {min(times):.2f}, max {max(times):.2f})"


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--repeat", type=int, default=3)
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        ws = Path(tmp) / "workspace.sqlite"
        t0 = time.perf_counter()
        build_demo_workspace(ws, show_progress=False)
        print(f"demo workspace built in {time.perf_counter() - t0:.1f} s (not timed below)")
        engine = open_store(f"sqlite:///{ws}")
        print(f"cpus: {os.cpu_count()}, load average: {os.getloadavg()}")
        for lang in ("en", "fr", "es"):
            times = []
            for _ in range(args.repeat):
                t = time.perf_counter()
                req = ReportRequest(out=Path(tmp) / "out", lang=lang, today=date(2026, 1, 1))
                res = run_report(engine, req).files
                times.append(time.perf_counter() - t)
            size = {k: Path(res[k]).stat().st_size // 1024 for k in ("html", "pdf")}
            print(
                f"brief {lang} (HTML + PDF) : {_best(times)}   html {size['html']} KiB, "
                f"pdf {size['pdf']} KiB"
            )
        # stages, English
        stages: dict[str, list[float]] = {"evidence": [], "document": [], "html": [], "pdf": []}
        for _ in range(args.repeat):
            t = time.perf_counter()
            ev = evidence_of(engine)
            stages["evidence"].append(time.perf_counter() - t)
            t = time.perf_counter()
            doc = build_document(ev, get_lang("en"), today=date(2026, 1, 1))
            stages["document"].append(time.perf_counter() - t)
            t = time.perf_counter()
            render_html(doc, attribution="")
            stages["html"].append(time.perf_counter() - t)
            t = time.perf_counter()
            render_pdf(doc)
            stages["pdf"].append(time.perf_counter() - t)
        for k, v in stages.items():
            print(f"  stage {k:9s}: {_best(v)}")
        engine.dispose()


if __name__ == "__main__":
    main()
