"""Where a Spark build runs (moneytrail/spark_cluster.py): the master URL and the local cluster's
options are applied exactly or refused before anything is ingested. No Spark needed; the
cluster itself is started by the demo's equivalence build (test_spark_equivalence.py)."""

from __future__ import annotations

import argparse

import pytest

from moneytrail import cli, spark_cluster
from moneytrail.spark_cluster import ClusterSpec, SparkClusterError, Where, check_master, where_from_args
from tests.python.conftest import DEMO_DIR


@pytest.mark.parametrize(
    "master", ["local[1]", "local[2]", "local[999]", "spark://127.0.0.1:7077", "spark://head-node.example.org:65535"]
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
        "one JVM, 1-999) or spark://HOST:PORT (a standalone cluster); --spark-workers N starts a "
        "standalone cluster on this machine"
    )


def _args(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser()
    spark_cluster.add_arguments(parser)
    return parser.parse_args(argv)


def test_no_option_is_local_mode_with_two_threads():
    assert where_from_args(_args([])) == Where("local[2]", None)
    assert where_from_args(_args([]), "duckdb") == Where("local[2]", None)


def test_the_options_give_the_cluster_asked_for():
    assert where_from_args(_args(["--spark-master", "spark://10.0.0.5:7077"])) == Where("spark://10.0.0.5:7077")
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
        (["--spark-workers", "2"], "duckdb", "--spark-workers apply only to --engine spark"),
        (
            ["--spark-master", "local[2]", "--spark-worker-memory", "2g"],
            "duckdb",
            "--spark-master, --spark-worker-memory apply only to --engine spark",
        ),
        (["--spark-worker-memory", "2g"], "spark", "--spark-worker-memory apply only with --spark-workers N"),
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
    assert capsys.readouterr().err.splitlines()[0] == "error: --spark-workers apply only to --engine spark"
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
