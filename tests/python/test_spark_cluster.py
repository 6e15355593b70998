"""Where a Spark build runs (moneytrail/spark_cluster.py): the master URL and the local cluster's
options are applied exactly or refused before anything is ingested. No Spark needed; the
cluster itself is started by the demo's equivalence build (test_spark_equivalence.py)."""

from __future__ import annotations

import argparse
import time
from pathlib import Path

import pytest

from moneytrail import cli, spark_cluster
from moneytrail.spark_cluster import ClusterSpec, SparkClusterError, Where, check_master, where_from_args
from tests.python.conftest import DEMO_DIR


@pytest.mark.parametrize(
    "master", ["local[1]", "local[2]", "local[999]", "spark://127.0.0.1:7077", "spark://localhost:65535"]
)
def test_a_master_spark_can_take_is_kept_exactly(master):
    assert check_master(master) == master


@pytest.mark.parametrize(
    "master",
    [
        "local[*]",
        "local[0]",
        "local",
        "yarn",
        "spark://127.0.0.1:70000",
        "spark://8.8.8.8:7077",
        "spark://head-node.example.org:7077",
        "spark://-:1",
        "spark://127.0.0.1:0",
        "spark://127.0.0.1",
        "spark://a b:7077",
        "spark://h:1;rm",
        "k8s://https://h:443",
        " local[2]",
    ],
)
def test_a_master_it_cannot_take_is_refused_naming_what_is_accepted(master):
    with pytest.raises(SparkClusterError) as err:
        check_master(master)
    assert str(err.value) == (
        f"--spark-master {master!r} is not a master this build runs on: use local[N] (N task threads in "
        "one JVM, 1-999) or spark://127.0.0.1:PORT (a standalone cluster on this machine; the driver "
        "listens on loopback only); --spark-workers N starts a standalone cluster here"
    )


def _args(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser()
    spark_cluster.add_arguments(parser)
    return parser.parse_args(argv)


def test_no_option_is_local_mode_with_two_threads():
    assert where_from_args(_args([])) == Where("local[2]", None)
    assert where_from_args(_args([]), "duckdb") == Where("local[2]", None)


def test_the_options_give_the_cluster_asked_for():
    assert where_from_args(_args(["--spark-master", "spark://127.0.0.1:7077"])) == Where("spark://127.0.0.1:7077")
    where = where_from_args(_args(["--spark-workers", "2"]))
    assert where == Where("local[2]", ClusterSpec(2, 1, "4g"))
    where = where_from_args(_args(["--spark-workers", "3", "--spark-worker-cores", "2", "--spark-worker-memory", "6g"]))
    assert where.cluster == ClusterSpec(3, 2, "6g")
    assert where.cluster.session_config() == {
        "spark.executor.cores": "2",
        "spark.executor.memory": "6g",
        "spark.cores.max": "6",
        "spark.scheduler.minRegisteredResourcesRatio": "1.0",
        "spark.scheduler.maxRegisteredResourcesWaitingTime": "120s",
    }


@pytest.mark.parametrize(
    ("argv", "engine", "message"),
    [
        (["--spark-workers", "2"], "duckdb", "--spark-workers applies only to --engine spark"),
        (
            ["--spark-master", "local[2]", "--spark-worker-memory", "2g"],
            "duckdb",
            "--spark-master, --spark-worker-memory apply only to --engine spark",
        ),
        (["--spark-worker-memory", "2g"], "spark", "--spark-worker-memory applies only with --spark-workers N"),
        (
            ["--spark-worker-cores", "2", "--spark-worker-memory", "2g"],
            "spark",
            "--spark-worker-cores, --spark-worker-memory apply only with --spark-workers N",
        ),
        (
            ["--spark-workers", "2", "--spark-master", "spark://h:7077"],
            "spark",
            "--spark-master and --spark-workers exclude each other: --spark-workers starts its own master",
        ),
        (["--spark-workers", "0"], "spark", "--spark-workers 0 is not between 1 and 64"),
        (["--spark-workers", "65"], "spark", "--spark-workers 65 is not between 1 and 64"),
        (
            ["--spark-workers", "2", "--spark-worker-cores", "0"],
            "spark",
            "--spark-worker-cores 0 is not between 1 and 256",
        ),
        (
            ["--spark-workers", "2", "--spark-worker-memory", ""],
            "spark",
            "--spark-worker-memory '' is not a size like 4g or 512m",
        ),
        (["--spark-master", ""], "spark", SparkClusterError),
        (
            ["--spark-workers", "2", "--spark-worker-memory", "4 g"],
            "spark",
            "--spark-worker-memory '4 g' is not a size like 4g or 512m",
        ),
        (
            ["--spark-workers", "2", "--spark-worker-memory", "4gb"],
            "spark",
            "--spark-worker-memory '4gb' is not a size like 4g or 512m",
        ),
        (
            ["--spark-workers", "2", "--spark-worker-memory", "0g"],
            "spark",
            "--spark-worker-memory '0g' is not a size like 4g or 512m",
        ),
        (
            ["--spark-workers", "2", "--spark-worker-memory", "511m"],
            "spark",
            "--spark-worker-memory 511m is less than 512m, the least an executor runs with",
        ),
    ],
)
def test_an_option_that_cannot_apply_is_refused(argv, engine, message):
    with pytest.raises(SparkClusterError) as err:
        where_from_args(_args(argv), engine)
    if message is SparkClusterError:  # an empty master: check_master's own text
        assert str(err.value).startswith("--spark-master '' is not a master this build runs on")
    else:
        assert str(err.value) == message


def test_run_refuses_a_spark_option_before_ingesting_anything(tmp_path, capsys):
    db = tmp_path / "w.duckdb"
    code = cli.main(["demo", "--db", str(db), "--out", str(tmp_path / "out"), "--spark-workers", "2"])
    assert code == 2
    assert capsys.readouterr().err.splitlines()[0] == "error: --spark-workers applies only to --engine spark"
    assert not db.exists()
    code = cli.main(["run", str(DEMO_DIR / "run.yml"), "--db", str(db), "--engine", "spark", "--spark-master", "yarn"])
    assert code == 2
    assert capsys.readouterr().err.splitlines()[0].startswith("error: --spark-master 'yarn' is not a master")
    assert not db.exists()


def test_the_spark_engine_module_refuses_a_bad_master_with_exit_2(tmp_path, capsys):
    from moneytrail import spark_engine

    code = spark_engine.main(
        [str(DEMO_DIR / "run.yml"), "--db", str(tmp_path / "w.duckdb"), "--out", str(tmp_path), "--spark-master", "x"]
    )
    assert code == 2
    assert capsys.readouterr().err.startswith("error: --spark-master 'x' is not a master this build runs on")


def test_the_least_memory_is_taken():
    assert ClusterSpec(1, 1, "512m").memory == "512m"
    assert ClusterSpec(1, 1, "1g").memory == "1g"


def test_a_cluster_without_java_is_refused_naming_java(tmp_path, monkeypatch):
    monkeypatch.setenv("PATH", str(tmp_path))
    monkeypatch.delenv("JAVA_HOME", raising=False)
    cluster = spark_cluster.LocalCluster(ClusterSpec(2), tmp_path / "cluster")
    with pytest.raises(SparkClusterError) as err:
        cluster.start()
    assert str(err.value) == (
        "Java is not on the PATH and JAVA_HOME is not set: a Spark cluster needs Java 17 "
        "(apt-get install openjdk-17-jre-headless)"
    )
    assert cluster.procs == []


def test_a_process_of_the_cluster_that_ended_is_named_with_the_end_of_its_log(tmp_path):
    import subprocess
    import sys

    cluster = spark_cluster.LocalCluster(ClusterSpec(1), tmp_path)
    (tmp_path / "worker-1.log").write_text("starting\nError: JAVA_HOME is not set\n", encoding="utf-8")
    proc = subprocess.Popen([sys.executable, "-c", "raise SystemExit(3)"])
    proc.wait()
    cluster.procs.append(("worker-1", proc))
    with pytest.raises(SparkClusterError) as err:
        cluster.check_alive()
    assert str(err.value) == (
        f"the local Spark cluster's worker-1 ended (exit code 3); the end of {tmp_path / 'worker-1.log'}:\n"
        "starting\nError: JAVA_HOME is not set"
    )


def test_stop_ends_every_process_of_each_group(tmp_path):
    """A worker's executors are its children, in its process group: stop reaches them too."""
    import subprocess
    import sys

    cluster = spark_cluster.LocalCluster(ClusterSpec(1), tmp_path)
    # a "worker" that starts a child ignoring SIGTERM and itself ignores it: SIGKILL after the grace
    code = (
        "import signal, subprocess, sys, time; signal.signal(signal.SIGTERM, signal.SIG_IGN); "
        "c = subprocess.Popen([sys.executable, '-c', 'import signal, time; "
        "signal.signal(signal.SIGTERM, signal.SIG_IGN); time.sleep(600)']); "
        "print(c.pid, flush=True); time.sleep(600)"
    )
    proc = subprocess.Popen([sys.executable, "-c", code], stdout=subprocess.PIPE, text=True, start_new_session=True)
    child = int(proc.stdout.readline())
    cluster.procs.append(("worker-1", proc))
    cluster.stop(grace=1.0)
    assert proc.poll() is not None
    for _ in range(50):
        if not Path(f"/proc/{child}").exists() or "Z" in Path(f"/proc/{child}/stat").read_text().split()[2]:
            break
        time.sleep(0.1)
    else:
        raise AssertionError(f"the worker's child {child} outlived stop()")
