"""Where a Spark build runs: the master URL, checked, and a standalone cluster on this machine.

``--spark-master`` takes ``local[N]`` (one JVM with N task threads, the default ``local[2]``) or
``spark://127.0.0.1:PORT`` / ``spark://localhost:PORT`` (a standalone cluster already running on
this machine). The driver binds to loopback, so executors on other machines could not reach it:
a master elsewhere is refused, and a cluster of several machines is reached through its Thrift
server instead (README "Running on Apache Spark"). ``--spark-workers N`` starts a standalone
cluster here for the build: one master and N workers, each a JVM of its own started from the
pyspark package (``bin/spark-class``), bound to loopback, stopped when the build ends. Spark
then runs the build as on a real cluster: separate executor JVMs, each with its own Python
workers, with shuffles between them.
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ingest.errors import UserError

LOOPBACK = "127.0.0.1"
DEFAULT_MASTER = "local[2]"
_LOCAL = re.compile(r"local\[([1-9][0-9]{0,2})\]")
_STANDALONE = re.compile(r"spark://(127\.0\.0\.1|localhost):([1-9][0-9]{0,4})")
_MEMORY = re.compile(r"([1-9][0-9]{0,5})([mg])")
PYSPARK_MISSING = "pyspark is not installed: pip install -e '.[spark]' (needs Java 17)"
#: Spark refuses an executor of less than about 450 MiB (its reserved memory plus a minimum).
MIN_MEMORY_MB = 512


class SparkClusterError(UserError):
    """A master URL or cluster setting Spark cannot take, or a cluster that did not start."""


def check_master(master: str) -> str:
    """The master URL exactly as given, or an error naming what is accepted."""
    m = _STANDALONE.fullmatch(master)
    if _LOCAL.fullmatch(master) or (m and int(m.group(2)) <= 65535):
        return master
    raise SparkClusterError(
        f"--spark-master {master!r} is not a master this build runs on: use local[N] (N task threads in "
        "one JVM, 1-999) or spark://127.0.0.1:PORT (a standalone cluster on this machine; the driver "
        "listens on loopback only); --spark-workers N starts a standalone cluster here"
    )


def check_memory(memory: str) -> str:
    """A JVM memory size as Spark writes it (``4g``, ``512m``), or an error."""
    m = _MEMORY.fullmatch(memory)
    if not m:
        raise SparkClusterError(f"--spark-worker-memory {memory!r} is not a size like 4g or 512m")
    if int(m.group(1)) * (1024 if m.group(2) == "g" else 1) < MIN_MEMORY_MB:
        raise SparkClusterError(
            f"--spark-worker-memory {memory} is less than {MIN_MEMORY_MB}m, the least an executor runs with"
        )
    return memory


@dataclass(frozen=True)
class ClusterSpec:
    """A standalone cluster on this machine: ``workers`` workers of ``cores`` cores and ``memory``
    each (one executor per worker takes all of it)."""

    workers: int
    cores: int = 1
    memory: str = "4g"

    def __post_init__(self) -> None:
        if not 1 <= self.workers <= 64:
            raise SparkClusterError(f"--spark-workers {self.workers} is not between 1 and 64")
        if not 1 <= self.cores <= 256:
            raise SparkClusterError(f"--spark-worker-cores {self.cores} is not between 1 and 256")
        check_memory(self.memory)

    def session_config(self) -> dict[str, str]:
        """What the driver asks of the cluster: one executor per worker, all of it, and no task
        before every executor has registered."""
        return {
            "spark.executor.cores": str(self.cores),
            "spark.executor.memory": self.memory,
            "spark.cores.max": str(self.workers * self.cores),
            "spark.scheduler.minRegisteredResourcesRatio": "1.0",
            "spark.scheduler.maxRegisteredResourcesWaitingTime": "120s",
        }


@dataclass(frozen=True)
class Where:
    """Where a build runs: a master URL (``local[N]`` or ``spark://HOST:PORT``), or a standalone
    cluster the build starts on this machine (``cluster``) and stops at its end."""

    master: str = DEFAULT_MASTER
    cluster: ClusterSpec | None = None

    def __post_init__(self) -> None:
        check_master(self.master)


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """The options of `moneytrail run/demo --engine spark` and `python -m moneytrail.spark_engine`."""
    group = parser.add_argument_group("Spark (with --engine spark)")
    group.add_argument(
        "--spark-master",
        default=None,
        help=f"local[N] (default {DEFAULT_MASTER}) or spark://127.0.0.1:PORT of a standalone cluster running "
        "on this machine",
    )
    group.add_argument(
        "--spark-workers",
        type=int,
        default=None,
        help="start a standalone cluster of N workers on this machine (loopback only) for the build, "
        "and stop it afterwards",
    )
    group.add_argument("--spark-worker-cores", type=int, default=None, help="cores of each worker (default 1)")
    group.add_argument("--spark-worker-memory", default=None, help="memory of each worker's executor (default 4g)")


def where_from_args(args: argparse.Namespace, engine: str = "spark") -> Where:
    """The options of add_arguments as a Where; an error when one is given that cannot apply
    (a Spark option without --engine spark, a master beside --spark-workers, worker sizes
    without --spark-workers)."""
    given = [
        f"--{name.replace('_', '-')}"
        for name in ("spark_master", "spark_workers", "spark_worker_cores", "spark_worker_memory")
        if getattr(args, name, None) is not None
    ]
    if engine != "spark":
        if given:
            raise SparkClusterError(f"{', '.join(given)} {_apply(given)} only to --engine spark")
        return Where()
    if args.spark_workers is None:
        sizes = [g for g in given if g.startswith("--spark-worker-")]
        if sizes:
            raise SparkClusterError(f"{', '.join(sizes)} {_apply(sizes)} only with --spark-workers N")
        return Where(DEFAULT_MASTER if args.spark_master is None else args.spark_master)
    if args.spark_master is not None:
        raise SparkClusterError(
            "--spark-master and --spark-workers exclude each other: --spark-workers starts its own master"
        )
    cores = ClusterSpec.cores if args.spark_worker_cores is None else args.spark_worker_cores
    memory = ClusterSpec.memory if args.spark_worker_memory is None else args.spark_worker_memory
    return Where(cluster=ClusterSpec(args.spark_workers, cores, memory))


def _apply(options: list[str]) -> str:
    return "applies" if len(options) == 1 else "apply"


def spark_home() -> Path:
    try:
        import pyspark
    except ImportError:
        raise SparkClusterError(PYSPARK_MISSING) from None
    return Path(pyspark.__file__).resolve().parent


MASTER_CLASS = "org.apache.spark.deploy.master.Master"
WORKER_CLASS = "org.apache.spark.deploy.worker.Worker"
_MASTER_URL = re.compile(r"Starting Spark master at (spark://127\.0\.0\.1:[0-9]+)")


def _no_orphans() -> None:  # pragma: no cover - runs in the child between fork and exec
    """Linux: the daemon gets SIGTERM when the process that started it dies, however it dies."""
    import ctypes
    import signal

    ctypes.CDLL(None, use_errno=True).prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG


class LocalCluster:
    """A standalone master and ``spec.workers`` workers on loopback, each a JVM started from the
    pyspark package (``bin/spark-class``) in a process group of its own; logs in ``logs``."""

    def __init__(self, spec: ClusterSpec, logs: Path):
        self.spec, self.logs = spec, logs
        self.procs: list[tuple[str, subprocess.Popen[bytes]]] = []
        self.master = ""

    def start(self) -> str:
        """Start the master, wait for its URL (it picks a free port itself), start the workers
        on it; returns the master URL."""
        if shutil.which("java") is None and not os.environ.get("JAVA_HOME"):
            raise SparkClusterError(
                "Java is not on the PATH and JAVA_HOME is not set: a Spark cluster needs Java 17 "
                "(apt-get install openjdk-17-jre-headless)"
            )
        home = spark_home()
        self.logs.mkdir(parents=True, exist_ok=True)
        self._start(home, "master", MASTER_CLASS, "--host", LOOPBACK, "--port", "0", "--webui-port", "0")
        self.master = self._master_url()
        for i in range(1, self.spec.workers + 1):
            work = self.logs / f"worker-{i}"
            work.mkdir(exist_ok=True)
            self._start(
                home,
                f"worker-{i}",
                WORKER_CLASS,
                *("--host", LOOPBACK, "--webui-port", "0", "--cores", str(self.spec.cores)),
                *("--memory", self.spec.memory, "--work-dir", str(work), self.master),
            )
        return self.master

    def _start(self, home: Path, name: str, main_class: str, *args: str) -> None:
        # loopback only; no REST submission server (Spark 4.1's master opens one on port 6066)
        env = dict(os.environ, SPARK_HOME=str(home), SPARK_LOCAL_IP=LOOPBACK)
        env["SPARK_MASTER_OPTS"] = "-Dspark.master.rest.enabled=false"
        env["PYSPARK_PYTHON"] = env.get("PYSPARK_PYTHON", sys.executable)
        with (self.logs / f"{name}.log").open("wb") as out:
            proc = subprocess.Popen(
                [str(home / "bin" / "spark-class"), main_class, *args],
                stdout=out,
                stderr=subprocess.STDOUT,
                env=env,
                start_new_session=True,
                preexec_fn=_no_orphans if sys.platform == "linux" else None,  # noqa: PLW1509
            )
        self.procs.append((name, proc))

    def _master_url(self, timeout: float = 60.0) -> str:
        log = self.logs / "master.log"
        deadline = time.monotonic() + timeout
        while True:
            found = _MASTER_URL.search(log.read_text(encoding="utf-8", errors="replace"))
            if found:
                return found.group(1)
            self.check_alive()
            if time.monotonic() > deadline:
                raise SparkClusterError(f"the local Spark master did not start within {timeout:.0f} s; see {log}")
            time.sleep(0.2)

    def check_alive(self) -> None:
        """An error naming the first process of the cluster that has ended, with the end of its log."""
        for name, proc in self.procs:
            if proc.poll() is not None:
                log = self.logs / f"{name}.log"
                tail = log.read_text(encoding="utf-8", errors="replace").strip().splitlines()[-5:]
                raise SparkClusterError(
                    f"the local Spark cluster's {name} ended (exit code {proc.returncode}); the end of {log}:\n"
                    + "\n".join(tail)
                )

    def stop(self, grace: float = 30.0) -> None:
        """SIGTERM to each process group (a worker's executors are in its group), SIGKILL to what
        is left after ``grace`` seconds; a second Ctrl-C does not cut it short."""
        import signal

        for _, proc in reversed(self.procs):
            _signal_group(proc, signal.SIGTERM)
        deadline = time.monotonic() + grace
        for _, proc in reversed(self.procs):
            while True:
                try:
                    proc.wait(timeout=max(0.1, deadline - time.monotonic()))
                    break
                except subprocess.TimeoutExpired:
                    _signal_group(proc, signal.SIGKILL)
                except KeyboardInterrupt:
                    continue
            _signal_group(proc, signal.SIGKILL)  # executors the worker left behind


def _signal_group(proc: subprocess.Popen[bytes], sig: int) -> None:
    try:
        os.killpg(proc.pid, sig)
    except (ProcessLookupError, PermissionError):
        pass


@contextmanager
def local_cluster(spec: ClusterSpec, work_dir: Path) -> Iterator[LocalCluster]:
    """A LocalCluster (logs in ``work_dir/cluster``), started; every process of it is stopped on
    exit, also after an error, a Ctrl-C or a SIGTERM to this process."""
    import signal
    import threading

    cluster = LocalCluster(spec, work_dir / "cluster")
    restore = None
    if threading.current_thread() is threading.main_thread():
        # SIGTERM ends Python without running `finally`: make it an exception here
        restore = signal.signal(signal.SIGTERM, _terminated)
    try:
        cluster.start()
        yield cluster
    finally:
        cluster.stop()
        if restore is not None:
            signal.signal(signal.SIGTERM, restore)


def _terminated(signum: int, frame: Any) -> None:
    raise SystemExit(128 + signum)


def wait_for_executors(session: Any, cluster: LocalCluster, timeout: float = 120.0) -> int:
    """Block until every worker's executor has registered with the driver; an error naming the
    count and the log folder after ``timeout`` seconds, or naming a process of the cluster that
    ended meanwhile."""
    deadline = time.monotonic() + timeout
    tracker = session.sparkContext._jsc.sc()
    while True:
        # getExecutorMemoryStatus lists the driver too
        executors = tracker.getExecutorMemoryStatus().size() - 1
        if executors >= cluster.spec.workers:
            return int(executors)
        cluster.check_alive()
        if time.monotonic() > deadline:
            raise SparkClusterError(
                f"the local Spark cluster has {executors} of {cluster.spec.workers} executors after "
                f"{timeout:.0f} s; see {cluster.logs}"
            )
        time.sleep(0.5)
