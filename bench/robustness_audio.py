"""Run every file in a directory through probe and the full pipeline.

    python bench/robustness_audio.py DIR

Each file must end processed or rejected with a specific AudioRejected code. Anything
else (an exception escaping as a crash) is a bug, and makes the exit status non-zero.
"""

from __future__ import annotations

import json
import sys
import tempfile
import time
import traceback
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from ting.media.audio import AudioRejected, process_audio
from ting.media.audio.probe import probe


def main() -> int:
    if len(sys.argv) != 2:
        print(__doc__)
        return 2
    folder = Path(sys.argv[1])
    files = sorted(p for p in folder.iterdir() if p.is_file())
    counts: Counter[str] = Counter()
    crashes = 0
    print(f"{'file':48s} {'outcome':34s} {'s':>5s}  message")
    with tempfile.TemporaryDirectory() as tmp:
        for index, path in enumerate(files):
            started = time.perf_counter()
            try:
                probe(path)
                result = process_audio(path, Path(tmp) / str(index))
                outcome = "processed"
                message = (
                    f"{result.probe.codec} {result.probe.duration_s:.2f} s, "
                    f"{result.loudness.integrated_lufs} LUFS, gain {result.gain_db} dB"
                )
            except AudioRejected as exc:
                outcome = f"rejected:{exc.code}"
                message = exc.message_en
            except Exception as exc:  # the point of this script is to catch what escapes
                crashes += 1
                outcome = f"CRASH:{type(exc).__name__}"
                message = str(exc)
                traceback.print_exc()
            counts[outcome.split(":")[0] if outcome == "processed" else outcome] += 1
            took = time.perf_counter() - started
            print(f"{path.name[:48]:48s} {outcome:34s} {took:5.2f}  {message[:90]}")
    print()
    for key, value in sorted(counts.items(), key=lambda kv: (-kv[1], kv[0])):
        print(f"{value:5d}  {key}")
    summary = {
        "figure": "audio_robustness_crashes",
        "value": crashes,
        "unit": "files",
        "goal": 0,
        "files": len(files),
        "processed": counts["processed"],
        "rejected": sum(v for k, v in counts.items() if k.startswith("rejected")),
        "pass": crashes == 0,
    }
    print(json.dumps(summary))
    return 0 if crashes == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
