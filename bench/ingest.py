"""Ingest benchmark: Ting's pipeline against the encoder floor and the ffmpeg CLI reference.

    python bench/ingest.py [--minutes 60] [--repeat 3] [--memory-minutes 120] [--skip-memory]
                           [--cpu]

(a) ``process_audio``; (b) the floor: one decode feeding the same three encoders, at the
same settings and in the same threads, with no measuring, gain, limiting or verifying;
(c) the naive ffmpeg pipeline: a ``loudnorm`` measurement pass, then one process writing
the three renditions through linear ``loudnorm``. With ``--repeat`` the three run in
turn that many times and the figures are medians (the ratios are medians of the per-round
ratios, so a noisy neighbour slows all three of a round alike). Every rendition of (a) is
decoded and measured here, independently of what the pipeline reports. The last lines
are the figures' JSON.

``--cpu`` compares CPU time (user + system, all threads) instead of wall time: (a) and
(b) each run in a fresh process that reports its own ``getrusage``, and (c) is the
ffmpeg children's. On a machine shared with other work, wall time mostly measures the
neighbours; CPU time measures what each pipeline costs. (a)'s process also reports its
peak RSS.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import resource
import shutil
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
# One BLAS thread: numpy's pool would fight the encoder threads for the two cores.
os.environ.setdefault("OMP_NUM_THREADS", "1")

from ting.media.audio import process_audio
from ting.media.audio.decode import PcmReader
from ting.media.audio.encode import DEFAULT_LADDER, Encoder, EncoderThread, measure_file
from ting.media.audio.testing import speech_like, write_audio

GOAL_VS_FFMPEG = 0.6
GOAL_VS_FLOOR = 1.25
GOAL_MEMORY_MB = 300.0
# How each side uses the cores, so the ratio compares filtering, not parallelism.
LAYOUT = """how each side runs:
  (a) ours: analysis pass = decoder thread + K-weighting/waveform/spool (main) + true-peak
      thread; calibration = one thread per codec on a few seconds; encode pass = the
      spooled PCM feeding three encoder threads (each shapes its own input), then the
      renditions whose spec says so are decoded and measured in their threads
  (b) floor: one decoder (main thread) feeding the same three encoder threads at the same
      settings; no measuring, shaping or verifying
  (c) ffmpeg: two processes one after the other (loudnorm measurement, then one process
      writing the three renditions); ffmpeg's own threading"""


def source(workdir: Path, minutes: float) -> Path:
    path = workdir / f"speech-{minutes:g}min.mp3"
    if path.exists():
        return path
    started = time.perf_counter()
    tmp = path.with_suffix(".part.mp3")
    exe = ffmpeg_exe()
    if minutes > 60 and minutes % 60 == 0 and exe is not None:
        # Hours of input are the hour file joined end to end (stream copy, a fresh
        # Xing header): seconds instead of an hour of PyAV's LAME per hour of input.
        hour = source(workdir, 60)
        listing = workdir / f"concat-{minutes:g}.txt"
        listing.write_text(f"file '{hour.name}'\n" * int(minutes // 60))
        subprocess.run(
            [
                *(exe, "-hide_banner", "-loglevel", "error", "-y"),
                *("-f", "concat", "-safe", "0", "-i", str(listing), "-c", "copy", str(tmp)),
            ],
            check=True,
        )
        listing.unlink()
    else:
        write_audio(tmp, speech_like(minutes * 60, 44100, level=0.3), 44100)
    tmp.replace(path)
    print(f"generated {path.name} in {time.perf_counter() - started:.1f} s")
    return path


def run_ours(src: Path, out: Path) -> tuple[float, dict[str, tuple[float | None, float | None]]]:
    started = time.perf_counter()
    result = process_audio(src, out)
    wall = time.perf_counter() - started
    measured: dict[str, tuple[float | None, float | None]] = {}
    for name, r in result.renditions.items():
        loudness = measure_file(r.path)[0]
        measured[name] = (loudness.integrated_lufs, loudness.true_peak_dbtp)
        print(
            f"  {name}: reported {r.integrated_lufs} LUFS {r.true_peak_dbtp} dBTP"
            f" ({'measured' if r.measured else 'predicted'}, attempt {r.attempts}),"
            f" decoded {loudness.integrated_lufs} LUFS {loudness.true_peak_dbtp} dBTP"
        )
    return wall, measured


def run_floor(src: Path, out: Path) -> float:
    started = time.perf_counter()
    out.mkdir(parents=True, exist_ok=True)
    with PcmReader(src) as reader:
        threads: list[EncoderThread] = []
        for chunk in reader.chunks():
            if not threads:
                for spec in DEFAULT_LADDER:
                    path = out / f"floor.{spec.extension}"
                    encoder = Encoder(spec, path, reader.out_rate, reader.out_layout)
                    threads.append(EncoderThread(encoder, verify=False))
                for t in threads:
                    t.start()
            for t in threads:
                t.queue.put(chunk)
        for t in threads:
            t.queue.put(None)
        for t in threads:
            t.join()
            if t.error:
                raise t.error
    return time.perf_counter() - started


def cpu_seconds(who: int) -> float:
    usage = resource.getrusage(who)
    return usage.ru_utime + usage.ru_stime


def run_child(kind: str, src: Path, out: Path) -> tuple[float, float]:
    """Run (a) or (b) in a fresh process: its (CPU seconds, peak RSS MB)."""
    done = subprocess.run(
        [sys.executable, __file__, "--child", kind, str(src), str(out)],
        check=True,
        capture_output=True,
        text=True,
    )
    report = json.loads(done.stdout.strip().splitlines()[-1])
    return float(report["cpu_s"]), float(report["rss_mb"])


def child(kind: str, src: Path, out: Path) -> int:
    before = cpu_seconds(resource.RUSAGE_SELF)
    if kind == "ours":
        process_audio(src, out)
    else:
        run_floor(src, out)
    cpu = cpu_seconds(resource.RUSAGE_SELF) - before
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0
    print(json.dumps({"cpu_s": round(cpu, 3), "rss_mb": round(rss, 1)}))
    return 0


def measure_outputs(out: Path) -> dict[str, tuple[float | None, float | None]]:
    measured: dict[str, tuple[float | None, float | None]] = {}
    for spec in DEFAULT_LADDER:
        path = out / f"audio.{spec.extension}"
        loudness = measure_file(path)[0]
        measured[spec.name] = (loudness.integrated_lufs, loudness.true_peak_dbtp)
        print(
            f"  {spec.name}: decoded {loudness.integrated_lufs} LUFS {loudness.true_peak_dbtp} dBTP"
        )
    return measured


def ffmpeg_exe() -> str | None:
    found = shutil.which("ffmpeg")
    if found:
        return found
    try:
        import imageio_ffmpeg  # type: ignore[import-not-found,import-untyped,unused-ignore]
    except ImportError:
        return None
    return str(imageio_ffmpeg.get_ffmpeg_exe())


def run_ffmpeg(exe: str, src: Path, out: Path) -> float:
    out.mkdir(parents=True, exist_ok=True)
    target = "I=-16:TP=-1.5:LRA=11"
    started = time.perf_counter()
    measure = subprocess.run(
        [
            exe,
            "-hide_banner",
            "-nostats",
            "-i",
            str(src),
            "-af",
            f"loudnorm={target}:print_format=json",
            "-f",
            "null",
            "-",
        ],
        capture_output=True,
        text=True,
        check=True,
    )
    found = re.search(r"\{[^{}]*\"input_i\"[^{}]*\}", measure.stderr)
    if found is None:
        raise RuntimeError("loudnorm printed no JSON")
    m = json.loads(found.group(0))
    norm = (
        f"loudnorm={target}:measured_I={m['input_i']}:measured_TP={m['input_tp']}"
        f":measured_LRA={m['input_lra']}:measured_thresh={m['input_thresh']}"
        f":offset={m['target_offset']}:linear=true"
    )
    # loudnorm leaves its output's channel layout unset, which Debian's FFmpeg 5.1 cannot
    # negotiate with the encoders ("Cannot select channel layout"): name it (the source
    # is stereo).
    graph = (
        f"[0:a]{norm},aformat=channel_layouts=stereo,asplit=3[a][b][c];[a]aresample=48000[ao];"
        "[b]aresample=44100[bo];[c]aresample=44100[co]"
    )
    subprocess.run(
        [
            exe,
            "-hide_banner",
            "-nostats",
            "-loglevel",
            "error",
            "-y",
            "-i",
            str(src),
            "-filter_complex",
            graph,
            "-map",
            "[ao]",
            "-c:a",
            "libopus",
            "-b:a",
            "32k",
            str(out / "ref.opus"),
            "-map",
            "[bo]",
            "-c:a",
            "aac",
            "-b:a",
            "64k",
            "-movflags",
            "+faststart",
            str(out / "ref.m4a"),
            "-map",
            "[co]",
            "-c:a",
            "libmp3lame",
            "-b:a",
            "128k",
            "-compression_level",
            "5",
            str(out / "ref.mp3"),
        ],
        check=True,
    )
    return time.perf_counter() - started


WORKER_SETUP = """
import sys
from ting.catalog.models import Track
from ting.catalog.tests.factories import make_anchor, make_track
from ting.media import services
track = make_track(album__anchor=make_anchor(), status=Track.Status.DRAFT, published_at=None)
with open(sys.argv[1], "rb") as handle:
    asset = services.asset_create(track=track, content=handle, filename="bench.mp3")
print(asset.pk)
"""


def worker_peak_rss_mb(src: Path, scratch: Path) -> tuple[float, str]:
    """The real task path: ``manage.py db_worker --batch`` on a scratch database runs
    the upload's ``process_audio_asset`` job; its peak RSS comes from ``wait4``.

    Returns (MB, the asset's final status).
    """
    root = Path(__file__).resolve().parent.parent
    (scratch / "tmp").mkdir(parents=True, exist_ok=True)
    db = scratch / "ting.sqlite3"
    env = {
        **os.environ,
        "TING_ENV": "test",
        "TASKS_BACKEND": "db",
        "TING_DATA_DIR": str(scratch),
        "DATABASE_URL": f"sqlite:///{db}",
        "TMPDIR": str(scratch / "tmp"),
        "DJANGO_SETTINGS_MODULE": "config.settings",
    }

    def run(*args: str) -> str:
        return subprocess.run(
            [sys.executable, *args], cwd=root, env=env, check=True, capture_output=True, text=True
        ).stdout

    run("manage.py", "migrate", "--verbosity", "0")
    asset_id = int(
        run("-c", "import django; django.setup()\n" + WORKER_SETUP, str(src)).split()[-1]
    )
    worker = subprocess.Popen(
        [sys.executable, "manage.py", "db_worker", "--no-startup-delay", "--batch"],
        cwd=root,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    _, status, usage = os.wait4(worker.pid, 0)
    worker.returncode = os.waitstatus_to_exitcode(status)
    if worker.returncode != 0:
        raise RuntimeError(f"db_worker exited with {worker.returncode}")
    with sqlite3.connect(db) as conn:
        (state,) = conn.execute(
            "SELECT status FROM media_audioasset WHERE id = ?", (asset_id,)
        ).fetchone()
    # ru_maxrss is in KiB on Linux.
    return usage.ru_maxrss / 1024.0, str(state)


def worker_memory(workdir: Path, minutes: float, scratch: Path) -> float:
    mem_src = source(workdir, minutes)
    memory, state = worker_peak_rss_mb(mem_src, scratch)
    load = " ".join(f"{v:.1f}" for v in os.getloadavg())
    print(f"db_worker ran the {minutes:g}-minute upload: {state}, peak RSS {memory:.0f} MB")
    print(f"load average: {load}")
    if state != "ready":
        raise RuntimeError(f"the memory run's asset ended {state}")
    return memory


def memory_figure(workdir: Path, minutes: float) -> int:
    with tempfile.TemporaryDirectory(dir=workdir) as tmp:
        memory = worker_memory(workdir, minutes, Path(tmp))
    figure = {
        "figure": "ingest_peak_rss_mb",
        "value": round(memory, 1),
        "unit": "MB",
        "goal": GOAL_MEMORY_MB,
        "baseline": None,
        "ratio": round(memory / GOAL_MEMORY_MB, 3),
        "minutes": minutes,
        "pass": memory <= GOAL_MEMORY_MB,
    }
    print(json.dumps(figure))
    return 0 if figure["pass"] else 1


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--minutes", type=float, default=60.0)
    parser.add_argument("--repeat", type=int, default=1)
    parser.add_argument("--memory-minutes", type=float, default=120.0)
    parser.add_argument("--skip-memory", action="store_true")
    parser.add_argument(
        "--memory-only", action="store_true", help="only the worker's peak RSS figure"
    )
    parser.add_argument("--workdir", type=Path, default=Path(tempfile.gettempdir()) / "ting-bench")
    parser.add_argument("--cpu", action="store_true", help="compare CPU time, not wall time")
    parser.add_argument("--child", nargs=3, metavar=("KIND", "SRC", "OUT"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        kind, child_src, child_out = args.child
        return child(kind, Path(child_src), Path(child_out))
    args.workdir.mkdir(parents=True, exist_ok=True)
    if args.memory_only:
        return memory_figure(args.workdir, args.memory_minutes)
    src = source(args.workdir, args.minutes)
    exe = ffmpeg_exe()
    if exe is None:
        print("reference unavailable: no ffmpeg on PATH and imageio-ffmpeg not installed")
    cpus = len(os.sched_getaffinity(0))
    print(f"{cpus} CPUs available to this process; {args.repeat} round(s)")
    print(LAYOUT)
    ours_runs: list[float] = []
    floor_runs: list[float] = []
    ref_runs: list[float] = []
    measured: dict[str, tuple[float | None, float | None]] = {}
    memory: float | None = None
    rss_runs: list[float] = []
    unit = "CPU s" if args.cpu else "wall s"
    with tempfile.TemporaryDirectory(dir=args.workdir) as tmp:
        work = Path(tmp)
        for round_ in range(args.repeat):
            out = work / f"round{round_}"
            if args.cpu:
                cpu, rss = run_child("ours", src, out / "ours")
                ours_runs.append(cpu)
                rss_runs.append(rss)
                measured = measure_outputs(out / "ours")
                floor_runs.append(run_child("floor", src, out / "floor")[0])
                if exe is not None:
                    before = cpu_seconds(resource.RUSAGE_CHILDREN)
                    run_ffmpeg(exe, src, out / "ffmpeg")
                    ref_runs.append(cpu_seconds(resource.RUSAGE_CHILDREN) - before)
            else:
                wall, measured = run_ours(src, out / "ours")
                ours_runs.append(wall)
                floor_runs.append(run_floor(src, out / "floor"))
                if exe is not None:
                    ref_runs.append(run_ffmpeg(exe, src, out / "ffmpeg"))
            line = f"round {round_ + 1}: ours {ours_runs[-1]:.1f} s, floor {floor_runs[-1]:.1f} s"
            if ref_runs:
                line += f", ffmpeg {ref_runs[-1]:.1f} s"
            print(line, flush=True)
            shutil.rmtree(out, ignore_errors=True)
        if not args.skip_memory:
            memory = worker_memory(args.workdir, args.memory_minutes, work / "memory")
    ours = statistics.median(ours_runs)
    floor = statistics.median(floor_runs)
    reference = statistics.median(ref_runs) if ref_runs else None
    vs_floor = statistics.median(o / f for o, f in zip(ours_runs, floor_runs, strict=True))
    vs_ref = (
        statistics.median(o / r for o, r in zip(ours_runs, ref_runs, strict=True))
        if ref_runs
        else None
    )

    print(f"\ninput: {args.minutes:g} min, 44.1 kHz stereo MP3 (speech-like)")
    print(f"{'pipeline':44s} {unit:>8s}")
    print(f"{'(a) ting process_audio':44s} {ours:8.1f}")
    print(f"{'(b) floor: decode + 3 encoders, no filtering':44s} {floor:8.1f}")
    ref_text = f"{reference:8.1f}" if reference is not None else "     n/a"
    print(f"{'(c) ffmpeg loudnorm 2-pass reference':44s} {ref_text}")
    print(f"\n{'rendition':10s} {'LUFS':>8s} {'dBTP':>8s}")
    for name, (lufs, tp) in measured.items():
        print(f"{name:10s} {lufs!s:>8s} {tp!s:>8s}")
    if rss_runs:
        print(f"\npeak RSS of (a), {args.minutes:g}-minute input: {max(rss_runs):.0f} MB")
    if memory is not None:
        print(f"\npeak RSS, {args.memory_minutes:g}-minute input: {memory:.0f} MB")
    print(f"load average: {' '.join(f'{v:.1f}' for v in os.getloadavg())}")

    loud_ok = all(v is not None and abs(v + 16.0) <= 1.0 for v, _ in measured.values())
    tp_ok = all(t is not None and t <= -1.5 for _, t in measured.values())
    figures: list[dict[str, Any]] = [
        {
            "figure": "ingest_cpu_vs_floor" if args.cpu else "ingest_wall_vs_floor",
            "value": round(vs_floor, 3),
            "unit": "ratio",
            "goal": GOAL_VS_FLOOR,
            "baseline": round(floor, 2),
            "ratio": round(vs_floor, 3),
            "rounds": len(ours_runs),
            "pass": vs_floor <= GOAL_VS_FLOOR,
        },
        {
            "figure": "rendition_loudness_lufs",
            "value": [v for v, _ in measured.values()],
            "unit": "LUFS",
            "goal": "-16±1",
            "pass": loud_ok,
        },
        {
            "figure": "rendition_true_peak_dbtp",
            "value": [t for _, t in measured.values()],
            "unit": "dBTP",
            "goal": -1.5,
            "pass": tp_ok,
        },
    ]
    if memory is not None:
        figures.append(
            {
                "figure": "ingest_peak_rss_mb",
                "value": round(memory, 1),
                "unit": "MB",
                "goal": GOAL_MEMORY_MB,
                "minutes": args.memory_minutes,
                "pass": memory <= GOAL_MEMORY_MB,
            }
        )
    ratio = vs_ref
    figures.append(
        {
            "figure": "ingest_cpu_vs_ffmpeg" if args.cpu else "ingest_wall_vs_ffmpeg",
            "value": round(ratio, 3) if ratio else None,
            "unit": "ratio",
            "goal": GOAL_VS_FFMPEG,
            "baseline": round(reference, 2) if reference else None,
            "ratio": round(ratio, 3) if ratio else None,
            "pass": ratio is not None and ratio <= GOAL_VS_FFMPEG,
        }
    )
    for figure in figures:
        print(json.dumps(figure, ensure_ascii=False))
    return 0 if all(f["pass"] for f in figures) else 1


if __name__ == "__main__":
    sys.exit(main())
