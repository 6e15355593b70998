"""Where a Spark build runs: the master URL, checked, and a standalone cluster on this machine.

``--spark-master`` takes ``local[N]`` (one JVM with N task threads, the default ``local[2]``) or
``spark://HOST:PORT`` (an existing standalone cluster: its workers must see the build's folder
and the decisions/aliases files at the same paths, for example on a shared filesystem).
``--spark-workers N`` starts a standalone cluster here instead: one master and N workers, each
a JVM of its own started from the pyspark package (``bin/spark-class``), bound to loopback,
stopped when the build ends. Spark then runs the build as on a real cluster: separate executor
JVMs, each with its own Python workers, with shuffles between them.
"""

from __future__ import annotations

import argparse
import os
import re
import socket
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
_STANDALONE = re.compile(r"spark://([A-Za-z0-9.-]{1,253}):([1-9][0-9]{0,4})")
_MEMORY = re.compile(r"([1-9][0-9]{0,5})([mg])")


class SparkClusterError(UserError):
    """A master URL or cluster setting Spark cannot take, or a cluster that did not start."""


def check_master(master: str) -> str:
    """The master URL exactly as given, or an error naming what is accepted."""
    m = _STANDALONE.fullmatch(master)
    if _LOCAL.fullmatch(master) or (m and int(m.group(2)) <= 65535):
        return master
    raise SparkClusterError(
        f"--spark-master {master!r} is not a master this build runs on: use local[N] (N task threads in "
        "one JVM, 1-999) or spark://HOST:PORT (a standalone cluster); --spark-workers N starts a "
        "standalone cluster on this machine"
    )


def check_memory(memory: str) -> str:
    """A JVM memory size as Spark writes it (``4g``, ``512m``), or an error."""
    if not _MEMORY.fullmatch(memory):
        raise SparkClusterError(f"--spark-worker-memory {memory!r} is not a size like 4g or 512m")
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


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """The options of `moneytrail run/demo --engine spark` and `python -m moneytrail.spark_engine`."""
    group = parser.add_argument_group("Spark (with --engine spark)")
    group.add_argument(
        "--spark-master",
        default=None,
        help=f"local[N] (default {DEFAULT_MASTER}) or spark://HOST:PORT of a standalone cluster whose workers "
        "see the warehouse folder at the same path",
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
            raise SparkClusterError(f"{', '.join(given)} apply only to --engine spark")
        return Where()
    if args.spark_workers is None:
        sizes = [g for g in given if g.startswith("--spark-worker-")]
        if sizes:
            raise SparkClusterError(f"{', '.join(sizes)} apply only with --spark-workers N")
        return Where(check_master(DEFAULT_MASTER if args.spark_master is None else args.spark_master))
    if args.spark_master is not None:
        raise SparkClusterError(
            "--spark-master and --spark-workers exclude each other: --spark-workers starts its own master"
        )
    cores = 1 if args.spark_worker_cores is None else args.spark_worker_cores
    memory = "4g" if args.spark_worker_memory is None else args.spark_worker_memory
    spec = ClusterSpec(args.spark_workers, cores, memory)
    return Where(cluster=spec)


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind((LOOPBACK, 0))
        return int(s.getsockname()[1])


def spark_home() -> Path:
    try:
        import pyspark
    except ImportError:
        raise SparkClusterError("pyspark is not installed: pip install -e '.[spark]' (needs Java 17)") from None
    return Path(pyspark.__file__).resolve().parent


def _daemon(home: Path, log: Path, main_class: str, *args: str) -> subprocess.Popen[bytes]:
    # loopback only; no REST submission server (the master's default opens one on port 6066)
    env = dict(
        os.environ, SPARK_HOME=str(home), SPARK_LOCAL_IP=LOOPBACK, SPARK_MASTER_OPTS="-Dspark.master.rest.enabled=false"
    )
    env["PYSPARK_PYTHON"] = env.get("PYSPARK_PYTHON", sys.executable)
    with log.open("wb") as out:
        return subprocess.Popen(
            [str(home / "bin" / "spark-class"), main_class, *args],
            stdout=out,
            stderr=subprocess.STDOUT,
            env=env,
            start_new_session=True,
        )


@contextmanager
def local_cluster(spec: ClusterSpec, work_dir: Path) -> Iterator[str]:
    """Start a master and ``spec.workers`` workers on loopback (logs in ``work_dir/cluster``);
    yields the master URL; stops every process on exit, also after an error."""
    home = spark_home()
    logs = work_dir / "cluster"
    logs.mkdir(parents=True, exist_ok=True)
    port = _free_port()
    master = f"spark://{LOOPBACK}:{port}"
    procs = [
        _daemon(
            home,
            logs / "master.log",
            "org.apache.spark.deploy.master.Master",
            *("--host", LOOPBACK, "--port", str(port), "--webui-port", str(_free_port())),
        )
    ]
    try:
        for i in range(spec.workers):
            worker_dir = logs / f"worker-{i + 1}"
            worker_dir.mkdir(exist_ok=True)
            procs.append(
                _daemon(
                    home,
                    logs / f"worker-{i + 1}.log",
                    "org.apache.spark.deploy.worker.Worker",
                    *("--host", LOOPBACK, "--webui-port", str(_free_port())),
                    *("--cores", str(spec.cores), "--memory", spec.memory, "--work-dir", str(worker_dir), master),
                )
            )
        _check_running(procs, logs)
        yield master
    finally:
        for proc in reversed(procs):
            proc.terminate()
        for proc in reversed(procs):
            try:
                proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()


def _check_running(procs: list[subprocess.Popen[bytes]], logs: Path) -> None:
    time.sleep(1)
    dead = [p for p in procs if p.poll() is not None]
    if dead:
        raise SparkClusterError(f"the local Spark cluster did not start: {len(dead)} process(es) ended; see {logs}")


def wait_for_executors(session: Any, spec: ClusterSpec, logs: Path, timeout: float = 120.0) -> int:
    """Block until every worker's executor has registered with the driver; an error naming the
    count and the log folder after ``timeout`` seconds."""
    deadline = time.monotonic() + timeout
    tracker = session.sparkContext._jsc.sc()
    while True:
        # getExecutorMemoryStatus lists the driver too
        executors = tracker.getExecutorMemoryStatus().size() - 1
        if executors >= spec.workers:
            return int(executors)
        if time.monotonic() > deadline:
            raise SparkClusterError(
                f"the local Spark cluster has {executors} of {spec.workers} executors after {timeout:.0f} s; see {logs}"
            )
        time.sleep(0.5)
