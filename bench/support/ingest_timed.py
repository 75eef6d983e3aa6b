"""Time ting.stats.nginxlog.ingest_nginx_log on one file, in-process (no start-up counted), for
bench/stream.py. Run with the bench's environment; prints one JSON object.

    python -m bench.support.ingest_timed PATH
"""

from __future__ import annotations

import json
import os
import sys
import time
from pathlib import Path


def main(path: str) -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    import django

    django.setup()
    from ting.stats.models import StreamLog
    from ting.stats.nginxlog import ingest_nginx_log

    before = StreamLog.objects.count()
    started = time.perf_counter()
    cpu = time.process_time()
    report = ingest_nginx_log(path=Path(path))
    cpu = time.process_time() - cpu
    seconds = time.perf_counter() - started
    again = ingest_nginx_log(path=Path(path))  # idempotent: nothing twice
    rows = StreamLog.objects.count() - before
    print(
        json.dumps(
            {
                "lines": report.lines, "rows": rows, "malformed": report.malformed,
                "seconds": seconds, "cpu_seconds": cpu, "rerun_rows": again.rows,
            }
        )
    )  # fmt: skip


if __name__ == "__main__":
    main(sys.argv[1])
