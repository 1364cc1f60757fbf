"""Build one Sphinx project in this process and print what it cost, as JSON.

Run by ``run.py`` in a fresh interpreter per build, so that the peak memory
it reports (the largest resident size of this process and of the reading
processes of a parallel build) is that build's alone.

    python benchmarks/_build_once.py SRCDIR OUTDIR [--parallel N] [--fresh]
"""

from __future__ import annotations

import argparse
import io
import json
import resource
import time

from sphinx.application import Sphinx
from sphinx.util.docutils import docutils_namespace, patch_docutils


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("srcdir")
    parser.add_argument("outdir")
    parser.add_argument("--parallel", type=int, default=1)
    parser.add_argument("--fresh", action="store_true")
    args = parser.parse_args()
    read: list[str] = []
    warnings = io.StringIO()
    start = time.perf_counter()
    with patch_docutils(args.srcdir), docutils_namespace():
        app = Sphinx(
            args.srcdir,
            args.srcdir,
            args.outdir,
            f"{args.outdir}/.doctrees",
            "html",
            status=None,
            warning=warnings,
            freshenv=args.fresh,
            parallel=args.parallel,
        )
        app.connect("env-before-read-docs", lambda _a, _e, names: read.extend(names))
        app.build()
    seconds = time.perf_counter() - start
    peak_kb = max(
        resource.getrusage(resource.RUSAGE_SELF).ru_maxrss,
        resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss,
    )
    result = {
        "seconds": seconds,
        "peak_mb": peak_kb / 1024,
        "read": len(read),
        "warnings": warnings.getvalue().count("WARNING"),
        "first_warning": next(iter(warnings.getvalue().splitlines()), ""),
    }
    print(json.dumps(result))


if __name__ == "__main__":
    main()
