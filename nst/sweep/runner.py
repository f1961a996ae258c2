"""Sweeps on Ray: every run of a grid is one Ray task, on this machine or on a Ray cluster.

A run is one comparison (nst.compare) of the grid's losses. The task gets the images' bytes and
returns the artifacts' bytes, so workers need no shared file system; the driver writes each run's
folder atomically, which makes a sweep resumable: a folder with a finished run.json is skipped.
Workers keep their process between tasks, so each loads the model once (nst.backbone.model caches it).
"""

from __future__ import annotations

import json
import os
import shutil
import socket
import time
import traceback
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from nst.errors import NSTError, SettingError
from nst.sweep.grid import Grid, RunSpec
from nst.sweep.tables import write_tables

RUN_FILE = "run.json"  # in each run's folder: its rows for results.csv, written last


@dataclass(frozen=True)
class SweepProgress:
    total: int  # runs in the grid
    skipped: int  # already complete from an earlier call
    done: int  # finished in this call (failed included)
    failed: int
    running: int  # submitted and not yet finished
    seconds: float  # since this call started its first run
    last: str = ""  # name of the run that just finished


def is_complete(folder: Path) -> bool:
    try:
        return json.loads((folder / RUN_FILE).read_text()).get("status") == "complete"
    except (OSError, ValueError):
        return False


class Sweep:
    """Iterate `events()`; on Ctrl-C call `close()`: in-flight runs are cancelled, tables written."""

    def __init__(
        self,
        grid: Grid,
        out_dir: str | Path,
        address: str | None = None,
        workers: int | None = None,
        cpus_per_run: float = 1.0,
        gpus_per_run: float = 0.0,
    ) -> None:
        if workers is not None and workers < 1:
            raise SettingError(f"workers must be at least 1, got {workers}")
        if not cpus_per_run > 0 or not gpus_per_run >= 0:
            raise SettingError(
                f"cpus per run must be above 0 and gpus per run at least 0, got {cpus_per_run}, {gpus_per_run}"
            )
        self.grid, self.out = grid, Path(out_dir)
        try:
            self.out.mkdir(parents=True, exist_ok=True)
        except OSError as error:
            raise SettingError(f"cannot create the sweep's folder {self.out}: {error.strerror or error}") from None
        self.pending = [run for run in grid.runs if not is_complete(self.out / run.name)]
        self.skipped = len(grid.runs) - len(self.pending)
        self._address, self._workers = address, workers
        self._resources = {"num_cpus": cpus_per_run, "num_gpus": gpus_per_run}
        self._in_flight: dict = {}  # Ray object ref -> RunSpec
        self._tables: list[Path] = []
        self.workers = 0  # runs at once, known once Ray has started

    def events(self) -> Iterator[SweepProgress]:
        if not self.pending:
            yield self._progress(time.perf_counter(), 0, 0)
            self.close()
            return
        ray = self._start_ray()
        task = ray.remote(**self._resources)(run_task)
        queue, done, failed, start = list(self.pending), 0, 0, time.perf_counter()
        self._submit(queue, task)
        while self._in_flight:
            ready, _ = ray.wait(list(self._in_flight), num_returns=1, timeout=1.0)
            for ref in ready:
                spec = self._in_flight.pop(ref)
                outcome = _outcome(ray, ref, spec)
                write_run(self.out / spec.name, outcome)
                done, failed = done + 1, failed + (outcome["status"] != "complete")
                self._submit(queue, task)  # the next run starts before this one is reported
                yield self._progress(start, done, failed, spec.name)
        self.close()

    def close(self) -> list[Path]:
        """Cancels what still runs, disconnects from Ray, writes results.csv, summary.png and contact.png.
        Called at the end of events() and safe to call again."""
        if self._tables:
            return self._tables
        if self._in_flight:
            import ray

            for ref in self._in_flight:
                ray.cancel(ref, force=True)
            self._in_flight.clear()
        if self.workers:
            import ray

            ray.shutdown()
            self.workers = 0
        self._tables = write_tables(self.grid, self.out)
        return self._tables

    def _submit(self, queue: list[RunSpec], task) -> None:
        while queue and len(self._in_flight) < self.workers:
            spec = queue.pop(0)
            styles = [path.read_bytes() for path in spec.style_paths]
            masks = [path.read_bytes() for path in spec.masks]
            self._in_flight[task.remote(spec, spec.content.read_bytes(), styles, masks)] = spec

    def _start_ray(self):
        os.environ.setdefault("RAY_USAGE_STATS_ENABLED", "0")  # no usage report leaves this machine
        import ray

        package = Path(__file__).resolve().parent.parent  # nst itself, shipped to a cluster's workers
        runtime_env = {"py_modules": [str(package)]} if self._address else None
        options = dict(include_dashboard=False, log_to_driver=False, logging_level="ERROR", configure_logging=False)
        if self._address:  # join a running cluster; it decides where tasks go
            try:
                ray.init(address=self._address, runtime_env=runtime_env, **options)
            except (ConnectionError, RuntimeError, ValueError) as error:
                first = str(error).strip().splitlines()[0] if str(error).strip() else type(error).__name__
                raise SettingError(
                    f"cannot join the Ray cluster at {self._address}: {first} (token authentication: set "
                    "RAY_AUTH_MODE=token and give the cluster's token, see the README)"
                ) from None
            cluster = int(ray.cluster_resources().get("CPU", 1) // max(self._resources["num_cpus"], 1e-9))
            self.workers = self._workers or max(1, cluster)
        else:  # a private Ray on this machine, with room for exactly `workers` runs at once
            self.workers = self._workers or max(1, int((os.cpu_count() or 1) // max(self._resources["num_cpus"], 1)))
            cpus = self.workers * self._resources["num_cpus"]
            ray.init(num_cpus=cpus, num_gpus=None, object_store_memory=256 * 2**20, **options)
        return ray

    def _progress(self, start: float, done: int, failed: int, last: str = "") -> SweepProgress:
        elapsed = time.perf_counter() - start
        total = len(self.grid.runs)
        return SweepProgress(total, self.skipped, done, failed, len(self._in_flight), elapsed, last)


def write_run(folder: Path, outcome: dict) -> None:
    """The run's artifacts, then run.json, into a fresh folder that replaces any earlier one at once."""
    partial = folder.with_name(f".{folder.name}.partial")
    shutil.rmtree(partial, ignore_errors=True)
    partial.mkdir(parents=True)
    for name, data in outcome.pop("files").items():
        (partial / name).write_bytes(data)
    (partial / RUN_FILE).write_text(json.dumps(outcome, indent=2, default=str) + "\n")
    shutil.rmtree(folder, ignore_errors=True)
    partial.rename(folder)


def run_task(spec: RunSpec, content_bytes: bytes, style_bytes: list[bytes], mask_bytes: list[bytes]) -> dict:
    """One run, in a Ray worker: a comparison of spec.losses. Never raises: a failure is its outcome."""
    from nst.backbone.model import load_backbone

    threads = _limit_threads()
    started, files, rows, status, error, seconds = time.time(), {}, [], "complete", "", {}
    try:
        files, rows, seconds = _compare(spec, content_bytes, style_bytes, mask_bytes)
    except NSTError as problem:
        status, error = "failed", str(problem)
    except Exception as problem:  # noqa: BLE001 - any fault of one run is recorded, the sweep goes on
        status, error = "failed", f"{type(problem).__name__}: {problem}"
        traceback.print_exc()
    return {
        "name": spec.name,
        "status": status,
        "error": error,
        "rows": rows,
        "files": files,
        "started": started,
        "finished": time.time(),
        "worker": f"{socket.gethostname()}:{os.getpid()}",
        "model_loads": load_backbone.cache.misses,
        "threads": threads,
        **seconds,
    }


def _compare(spec: RunSpec, content_bytes: bytes, style_bytes: list[bytes], mask_bytes: list[bytes]) -> tuple:
    """(artifacts, a row per loss, where the time went: seconds of the runs (model load, targets and
    iterations) and of scoring their images)."""
    from nst.job import InputImage, Request, prepare

    content = InputImage.from_bytes(content_bytes, spec.content)
    styles = [InputImage.from_bytes(data, path) for data, path in zip(style_bytes, spec.style_paths)]
    masks = [InputImage.from_bytes(data, path, mask=True) for data, path in zip(mask_bytes, spec.masks)]
    request = Request.of(content, styles, spec.settings, spec.losses, masks)
    job = prepare(request)  # refused on the worker that would run it
    start = time.perf_counter()
    for _ in job.events():
        pass
    scoring = time.perf_counter()
    result = job.result()
    seconds = {"seconds_runs": scoring - start, "seconds_scoring": time.perf_counter() - scoring}
    outputs = [*result.runs.values(), *([result.baseline] if result.baseline is not None else [])]
    rows = [
        {
            "loss": run.loss,  # the baseline's row: "feedforward" (nst.baseline.NAME), beside the losses
            "status": "failed" if run.error else "complete",
            "error": run.error,
            **run.metrics,
            "iterations": run.iterations,
            "converged": run.converged,
            "final_total": run.history[-1].total if run.history else None,
        }
        for run in outputs
    ]
    return job.artifacts(result), rows, seconds


def _outcome(ray, ref, spec: RunSpec) -> dict:
    try:
        return ray.get(ref)
    except Exception as problem:  # noqa: BLE001 - the worker died (memory, a crash): record it
        message = str(problem).strip().splitlines()[0] if str(problem).strip() else type(problem).__name__
        now = time.time()
        return {
            "name": spec.name,
            "status": "failed",
            "error": message,
            "rows": [],
            "files": {},
            "started": now,
            "finished": now,
            "worker": "",
            "model_loads": 0,
        }


def _limit_threads() -> int:
    """TensorFlow's thread pools sized to this task's CPUs (Ray sets OMP_NUM_THREADS), before the runtime
    starts in this worker: a plain import, then the pools; the quiet import (nst.runtime) runs an op,
    which would start the runtime with a pool per core and make two workers on two cores fight. Returns
    the intra-op threads in use (0: TensorFlow's default), recorded in run.json."""
    threads = int(os.environ.get("OMP_NUM_THREADS") or 0)
    import tensorflow

    if threads:
        try:
            tensorflow.config.threading.set_intra_op_parallelism_threads(threads)
            tensorflow.config.threading.set_inter_op_parallelism_threads(threads)
        except RuntimeError:  # the runtime already started in this worker (an earlier task): already set
            pass
    return tensorflow.config.threading.get_intra_op_parallelism_threads()
