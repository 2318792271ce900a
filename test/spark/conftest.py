"""A local SparkSession for the job's pure transforms: local[2], few shuffle partitions, no UI."""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import Iterator

import pytest

ROOT = Path(__file__).resolve().parents[2]
JOB_DIR = str(ROOT / "topologies" / "spark")
sys.path.insert(0, JOB_DIR)
# Spark's Python workers import riskjob too; in local mode they inherit this environment.
os.environ["PYTHONPATH"] = os.pathsep.join(filter(None, [JOB_DIR, os.environ.get("PYTHONPATH")]))

from pyspark.sql import SparkSession  # noqa: E402

from riskjob.settings import DetectorSettings, load_settings  # noqa: E402


@pytest.fixture(scope="session")
def spark() -> Iterator[SparkSession]:
    # Python workers must be this interpreter (the venv's), not whatever python3 is first on PATH.
    os.environ["PYSPARK_PYTHON"] = sys.executable
    builder = (
        SparkSession.builder.master("local[2]")
        .appName("riskctl-spark-tests")
        .config("spark.sql.shuffle.partitions", "2")
        .config("spark.ui.enabled", "false")
        .config("spark.sql.session.timeZone", "UTC")
    )
    if connector_jars():
        builder = builder.config("spark.jars", ",".join(connector_jars()))
    session = builder.getOrCreate()
    session.sparkContext.setLogLevel("ERROR")
    yield session
    session.stop()


@pytest.fixture(scope="session")
def settings() -> DetectorSettings:
    """The deployed topology: the tests judge by the same numbers as the in-process detector."""
    return load_settings(ROOT / "topologies" / "detector.json")


def connector_jars() -> list[str]:
    """The Kafka connector from scripts/spark/setup.sh; only the Kafka round trip needs it."""
    jars = ROOT / ".cache" / "spark-jars"
    return sorted(str(jar) for jar in jars.glob("*.jar")) if jars.is_dir() else []
