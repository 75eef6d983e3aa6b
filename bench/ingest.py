"""Ingest benchmark: Ting's pipeline against the encoder floor and the ffmpeg CLI reference.

    python bench/ingest.py [--minutes 60] [--repeat 3] [--memory-minutes 120] [--skip-memory]
                           [--cpu] [--delivered-floor] [--skip-ffmpeg]

(a) ``process_audio``; (b) the floor: one decode feeding the same three encoders, at the
same settings and in the same threads, with no measuring, gain, limiting or verifying;
(c) the naive ffmpeg pipeline: a ``loudnorm`` measurement pass, then one process writing
the three renditions through linear ``loudnorm``; with ``--delivered-floor`` also (b'), the
floor fed the source scaled to the delivered -16 LUFS (informational: libopus works harder on
louder input, see ``delivered_gain_db``). With ``--repeat`` the three run in
turn that many times and the figures are medians (the ratios are medians of the per-round
ratios, so a noisy neighbour slows all three of a round alike; every other round runs (b)
before (a)). ``--skip-ffmpeg`` leaves (c) out, for repeated runs of the floor figure.
Every rendition of (a) is decoded and measured here, independently of what the pipeline
reports. The last lines are the figures' JSON.

``--cpu`` compares CPU time (user + system, all threads) instead of wall time: (a) and
(b) each run in a fresh process that reports its own ``getrusage``, and (c) is the
ffmpeg children's. On a machine shared with other work, wall time mostly measures the
neighbours; CPU time measures what each pipeline costs. (a)'s process also reports its
peak RSS.

The memory figure (``--memory-only``, or after the rounds unless ``--skip-memory``) is the
real ``manage.py db_worker`` running the upload's job: the peak, over samples every 20 ms,
of the PSS summed over the worker and every process it starts (RSS where the kernel has no
smaps_rollup), so work handed to a child process still counts. It prints the summed RSS of
the same samples and each process's high-water RSS beside it.
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
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
# One BLAS thread: numpy's pool would fight the encoder threads for the two cores.
os.environ.setdefault("OMP_NUM_THREADS", "1")

# The pipeline's modules (numpy, scipy, PyAV) are imported where they are used: the memory
# run's own process must not map them, or the worker's PSS would be shared with it.

GOAL_VS_FFMPEG = 0.6
GOAL_VS_FLOOR = 1.25
GOAL_MEMORY_MB = 300.0
# How each side uses the cores, so the ratio compares filtering, not parallelism.
LAYOUT = """how each side runs:
  (a) ours: analysis pass = decoder thread + K-weighting/waveform/spool (main) + true-peak
      thread; calibration = one thread per codec on a few seconds; encode pass = three
      encoder threads, each reading the spooled PCM at its own pace and shaping its own
      input (the ones with less work left get a lower CPU priority, so all three finish
      together); the renditions whose spec says so are decoded and measured in their
      threads as they are written
  (b) floor: one decoder (main thread) feeding the same three encoder threads at the same
      settings; no measuring, shaping or verifying
  (c) ffmpeg: two processes one after the other (loudnorm measurement, then one process
      writing the three renditions); ffmpeg's own threading"""


GENERATE = """
import sys
from ting.media.audio.testing import speech_like, write_audio
write_audio(sys.argv[1], speech_like(float(sys.argv[2]), 44100, level=0.3), 44100)
"""


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
        # In a process of its own, so this one never maps the pipeline's libraries: they
        # would be shared with the worker whose PSS the memory run measures.
        subprocess.run(
            [sys.executable, "-c", GENERATE, str(tmp), str(minutes * 60)],
            cwd=Path(__file__).resolve().parent.parent,
            check=True,
        )
    tmp.replace(path)
    print(f"generated {path.name} in {time.perf_counter() - started:.1f} s")
    return path


def run_ours(src: Path, out: Path) -> tuple[float, dict[str, tuple[float | None, float | None]]]:
    from ting.media.audio.encode import measure_file
    from ting.media.audio.pipeline import process_audio

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


def run_floor(src: Path, out: Path, gain_db: float = 0.0) -> float:
    """(b); with ``gain_db``, (b'): the same with every chunk scaled (and clipped) first."""
    import numpy as np

    from ting.media.audio.decode import PcmReader
    from ting.media.audio.encode import DEFAULT_LADDER, Encoder, EncoderThread

    gain = np.float32(10 ** (gain_db / 20))
    started = time.perf_counter()
    out.mkdir(parents=True, exist_ok=True)
    with PcmReader(src) as reader:
        threads: list[EncoderThread] = []
        for chunk in reader.chunks():
            if gain_db:
                chunk = np.clip(chunk * gain, -1.0, 1.0)
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


# The floor encodes the source as it is; the renditions are encoded at -16 LUFS, and
# libopus spends markedly more CPU on louder speech (~+55 % on the bench file between its own
# level, -25 LUFS, and the delivered one). (b') feeds the same encoders the source scaled to
# the delivered level (a gain and a clip, the cheapest stand-in for our gain and limiter), to
# show how much of the gap is the encoders' own work at that level. Informational: the goal is
# against (b).
def delivered_gain_db(src: Path) -> float:
    from ting.media.audio.encode import measure_file

    integrated = measure_file(src)[0].integrated_lufs
    return 0.0 if integrated is None else round(-16.0 - integrated, 2)


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
    from ting.media.audio.pipeline import process_audio

    before = cpu_seconds(resource.RUSAGE_SELF)
    if kind == "ours":
        process_audio(src, out)
    else:
        # "floor" or "floor@<gain dB>"
        run_floor(src, out, float(kind.partition("@")[2] or 0))
    cpu = cpu_seconds(resource.RUSAGE_SELF) - before
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0
    print(json.dumps({"cpu_s": round(cpu, 3), "rss_mb": round(rss, 1)}))
    return 0


def measure_outputs(out: Path) -> dict[str, tuple[float | None, float | None]]:
    from ting.media.audio.encode import DEFAULT_LADDER, measure_file

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


def _rollup(pid: int) -> tuple[float, float] | None:
    """(RSS, PSS) in MB from /proc/PID/smaps_rollup; None once the process is gone."""
    rss = pss = 0.0
    try:
        with Path(f"/proc/{pid}/smaps_rollup").open() as handle:
            for line in handle:
                if line.startswith("Rss:"):
                    rss = int(line.split()[1]) / 1024.0
                elif line.startswith("Pss:"):
                    pss = int(line.split()[1]) / 1024.0
    except OSError:
        return None
    return rss, pss


def _status_rss(pid: int) -> tuple[float, float] | None:
    """(RSS, high-water RSS) in MB from /proc/PID/status."""
    values: dict[str, float] = {}
    try:
        with Path(f"/proc/{pid}/status").open() as handle:
            for line in handle:
                key, _, rest = line.partition(":")
                if key in ("VmRSS", "VmHWM"):
                    values[key] = int(rest.split()[0]) / 1024.0
    except OSError:
        return None
    if "VmRSS" not in values:  # a zombie: its memory is gone
        return None
    return values["VmRSS"], values.get("VmHWM", values["VmRSS"])


def _descendants(pid: int) -> list[int]:
    found: list[int] = []
    todo = [pid]
    while todo:
        parent = todo.pop()
        try:
            tasks = [t.name for t in Path(f"/proc/{parent}/task").iterdir()]
        except OSError:
            continue
        for tid in tasks:
            try:
                with Path(f"/proc/{parent}/task/{tid}/children").open() as handle:
                    kids = [int(k) for k in handle.read().split()]
            except OSError:
                continue
            found.extend(kids)
            todo.extend(kids)
    return found


@dataclass
class TreeMemory:
    """The memory of a process and all its descendants, summed at each sample.

    A worker that hands a job to a child process still owns that child's memory, so the
    figure is the peak of the sum over the tree, not any one process's. PSS (proportional
    set size: a page shared by k processes counts 1/k in each) where the kernel has
    smaps_rollup, so the pages that the worker and its child share count once; RSS
    otherwise. The summed RSS of the same samples is kept too, and each process's own
    high-water RSS (VmHWM, which sampling cannot miss).
    """

    root: int
    interval_s: float = 0.02
    pss: bool = field(default_factory=lambda: Path("/proc/self/smaps_rollup").exists())
    peak_mb: float = 0.0
    peak_rss_mb: float = 0.0
    peak_processes: int = 0
    high_water_mb: dict[int, float] = field(default_factory=dict)
    timeline: list[tuple[float, int, float]] = field(default_factory=list)
    _stop: threading.Event = field(default_factory=threading.Event)
    _thread: threading.Thread | None = None

    @property
    def measure(self) -> str:
        return "PSS" if self.pss else "RSS"

    def start(self) -> None:
        self._thread = threading.Thread(target=self._run, name="tree-memory", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join()

    def _run(self) -> None:
        started = time.monotonic()
        next_point = 0.0
        while not self._stop.is_set():
            total = total_rss = 0.0
            alive = 0
            for pid in [self.root, *_descendants(self.root)]:
                status = _status_rss(pid)
                if status is None:
                    continue
                rss, hwm = status
                pss = rss
                if self.pss:
                    rolled = _rollup(pid)
                    if rolled is None:
                        continue
                    rss, pss = rolled
                self.high_water_mb[pid] = max(self.high_water_mb.get(pid, 0.0), hwm)
                alive += 1
                total += pss
                total_rss += rss
            self.peak_mb = max(self.peak_mb, total)
            self.peak_rss_mb = max(self.peak_rss_mb, total_rss)
            self.peak_processes = max(self.peak_processes, alive)
            elapsed = time.monotonic() - started
            if alive and elapsed >= next_point:
                self.timeline.append((elapsed, alive, total))
                next_point = elapsed + 2.0
            self._stop.wait(self.interval_s)


@dataclass(frozen=True)
class WorkerMemory:
    peak_mb: float
    measure: str
    peak_rss_mb: float
    maxrss_mb: float
    processes: int
    high_water_mb: dict[int, float]
    timeline: list[tuple[float, int, float]]
    state: str


def worker_peak_memory(src: Path, scratch: Path) -> WorkerMemory:
    """The real task path: ``manage.py db_worker --batch`` on a scratch database runs the
    upload's ``process_audio_asset`` job while ``TreeMemory`` samples the worker and every
    process it starts. ``wait4``'s ru_maxrss (the largest single process of the tree: the
    figure this bench reported before the worker had children) is kept beside it.
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
    tree = TreeMemory(worker.pid)
    tree.start()
    try:
        _, status, usage = os.wait4(worker.pid, 0)
    finally:
        tree.stop()
    worker.returncode = os.waitstatus_to_exitcode(status)
    if worker.returncode != 0:
        raise RuntimeError(f"db_worker exited with {worker.returncode}")
    with sqlite3.connect(db) as conn:
        (state,) = conn.execute(
            "SELECT status FROM media_audioasset WHERE id = ?", (asset_id,)
        ).fetchone()
    return WorkerMemory(
        peak_mb=tree.peak_mb,
        measure=tree.measure,
        peak_rss_mb=tree.peak_rss_mb,
        # ru_maxrss is in KiB on Linux.
        maxrss_mb=usage.ru_maxrss / 1024.0,
        processes=tree.peak_processes,
        high_water_mb=dict(tree.high_water_mb),
        timeline=list(tree.timeline),
        state=str(state),
    )


def worker_memory(workdir: Path, minutes: float, scratch: Path) -> WorkerMemory:
    mem_src = source(workdir, minutes)
    memory = worker_peak_memory(mem_src, scratch)
    load = " ".join(f"{v:.1f}" for v in os.getloadavg())
    print(
        f"db_worker ran the {minutes:g}-minute upload: {memory.state}; peak {memory.measure} "
        f"of the worker's process tree {memory.peak_mb:.0f} MB (summed over up to "
        f"{memory.processes} processes, sampled every 20 ms)"
    )
    high_water = ", ".join(f"{mb:.0f}" for _, mb in sorted(memory.high_water_mb.items()))
    print(
        f"  the same samples' summed RSS {memory.peak_rss_mb:.0f} MB; high-water RSS of each "
        f"process (worker first) {high_water} MB; wait4 ru_maxrss {memory.maxrss_mb:.0f} MB"
    )
    step = max(1, len(memory.timeline) // 15)
    points = ", ".join(f"{t:.0f} s {mb:.0f}" for t, _, mb in memory.timeline[::step])
    print(f"  {memory.measure} of the tree over time (MB): {points}")
    print(f"load average: {load}")
    if memory.state != "ready":
        raise RuntimeError(f"the memory run's asset ended {memory.state}")
    return memory


def memory_json(memory: WorkerMemory, minutes: float) -> dict[str, Any]:
    return {
        "figure": "ingest_peak_rss_mb",
        "value": round(memory.peak_mb, 1),
        "unit": "MB",
        # What "value" is: the peak over samples of the summed PSS (or RSS) of the worker
        # and its descendants.
        "measure": f"{memory.measure} of the worker's process tree",
        "tree_rss_mb": round(memory.peak_rss_mb, 1),
        "maxrss_mb": round(memory.maxrss_mb, 1),
        "goal": GOAL_MEMORY_MB,
        "baseline": None,
        "ratio": round(memory.peak_mb / GOAL_MEMORY_MB, 3),
        "minutes": minutes,
        "pass": memory.peak_mb <= GOAL_MEMORY_MB,
    }


def memory_figure(workdir: Path, minutes: float) -> int:
    with tempfile.TemporaryDirectory(dir=workdir) as tmp:
        memory = worker_memory(workdir, minutes, Path(tmp))
    figure = memory_json(memory, minutes)
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
    parser.add_argument(
        "--delivered-floor",
        action="store_true",
        help="also run the floor fed at the delivered level (informational, see DELIVERED)",
    )
    parser.add_argument(
        "--skip-ffmpeg",
        action="store_true",
        help="leave out (c) (it takes longer than (a) and (b) together); its figure is not judged",
    )
    parser.add_argument("--child", nargs=3, metavar=("KIND", "SRC", "OUT"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        kind, child_src, child_out = args.child
        return child(kind, Path(child_src), Path(child_out))
    args.workdir.mkdir(parents=True, exist_ok=True)
    if args.memory_only:
        return memory_figure(args.workdir, args.memory_minutes)
    src = source(args.workdir, args.minutes)
    exe = None if args.skip_ffmpeg else ffmpeg_exe()
    if exe is None and not args.skip_ffmpeg:
        print("reference unavailable: no ffmpeg on PATH and imageio-ffmpeg not installed")
    cpus = len(os.sched_getaffinity(0))
    print(f"{cpus} CPUs available to this process; {args.repeat} round(s)")
    print(LAYOUT)
    ours_runs: list[float] = []
    floor_runs: list[float] = []
    delivered_runs: list[float] = []
    delivered_gain = delivered_gain_db(src) if args.delivered_floor else 0.0
    ref_runs: list[float] = []
    measured: dict[str, tuple[float | None, float | None]] = {}
    memory: WorkerMemory | None = None
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
                if args.delivered_floor:
                    kind = f"floor@{delivered_gain}"
                    delivered_runs.append(run_child(kind, src, out / "delivered")[0])
                if exe is not None:
                    before = cpu_seconds(resource.RUSAGE_CHILDREN)
                    run_ffmpeg(exe, src, out / "ffmpeg")
                    ref_runs.append(cpu_seconds(resource.RUSAGE_CHILDREN) - before)
            else:
                # Every other round runs the floor first: on a machine whose speed drifts,
                # neither side always gets the earlier (or later) minutes.
                if round_ % 2:
                    floor_runs.append(run_floor(src, out / "floor"))
                wall, measured = run_ours(src, out / "ours")
                ours_runs.append(wall)
                if not round_ % 2:
                    floor_runs.append(run_floor(src, out / "floor"))
                if args.delivered_floor:
                    delivered_runs.append(run_floor(src, out / "delivered", delivered_gain))
                if exe is not None:
                    ref_runs.append(run_ffmpeg(exe, src, out / "ffmpeg"))
            line = f"round {round_ + 1}: ours {ours_runs[-1]:.1f} s, floor {floor_runs[-1]:.1f} s"
            if delivered_runs:
                line += f", floor at the delivered level {delivered_runs[-1]:.1f} s"
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
    if delivered_runs:
        label = f"(b') floor fed {delivered_gain:+.1f} dB (informational)"
        print(f"{label:44s} {statistics.median(delivered_runs):8.1f}")
    ref_text = f"{reference:8.1f}" if reference is not None else "     n/a"
    print(f"{'(c) ffmpeg loudnorm 2-pass reference':44s} {ref_text}")
    print(f"\n{'rendition':10s} {'LUFS':>8s} {'dBTP':>8s}")
    for name, (lufs, tp) in measured.items():
        print(f"{name:10s} {lufs!s:>8s} {tp!s:>8s}")
    if rss_runs:
        print(f"\npeak RSS of (a), {args.minutes:g}-minute input: {max(rss_runs):.0f} MB")
    if memory is not None:
        print(
            f"\npeak {memory.measure} of the worker's process tree, "
            f"{args.memory_minutes:g}-minute input: {memory.peak_mb:.0f} MB"
        )
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
    if delivered_runs:
        vs_delivered = statistics.median(
            o / d for o, d in zip(ours_runs, delivered_runs, strict=True)
        )
        figures.append(
            {
                "figure": "ingest_vs_floor_at_delivered_level",
                "value": round(vs_delivered, 3),
                "unit": "ratio",
                "goal": None,
                "baseline": round(statistics.median(delivered_runs), 2),
                "ratio": round(vs_delivered, 3),
                "gain_db": round(delivered_gain, 2),
                "pass": None,
            }
        )
    if memory is not None:
        figures.append(memory_json(memory, args.memory_minutes))
    ratio = vs_ref
    figures.append(
        {
            "figure": "ingest_cpu_vs_ffmpeg" if args.cpu else "ingest_wall_vs_ffmpeg",
            "value": round(ratio, 3) if ratio else None,
            "unit": "ratio",
            "goal": GOAL_VS_FFMPEG,
            "baseline": round(reference, 2) if reference else None,
            "ratio": round(ratio, 3) if ratio else None,
            "pass": None if args.skip_ffmpeg else ratio is not None and ratio <= GOAL_VS_FFMPEG,
        }
    )
    for figure in figures:
        print(json.dumps(figure, ensure_ascii=False))
    return 0 if all(f["pass"] is not False for f in figures) else 1


if __name__ == "__main__":
    sys.exit(main())
