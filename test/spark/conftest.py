"""A local SparkSession for the job's pure transforms: local[2], few shuffle partitions, no UI."""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import Iterator

import pytest

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "topologies" / "spark"))

from pyspark.sql import SparkSession  # noqa: E402

from riskjob.settings import DetectorSettings, load_settings  # noqa: E402


@pytest.fixture(scope="session")
def spark() -> Iterator[SparkSession]:
    # Python workers must be this interpreter (the venv's), not whatever python3 is first on PATH.
    os.environ["PYSPARK_PYTHON"] = sys.executable
    session = (
        SparkSession.builder.master("local[2]")
        .appName("riskctl-spark-tests")
        .config("spark.sql.shuffle.partitions", "2")
        .config("spark.ui.enabled", "false")
        .config("spark.sql.session.timeZone", "UTC")
        .getOrCreate()
    )
    session.sparkContext.setLogLevel("ERROR")
    yield session
    session.stop()


@pytest.fixture(scope="session")
def settings() -> DetectorSettings:
    """The deployed topology: the tests judge by the same numbers as the in-process detector."""
    return load_settings(ROOT / "topologies" / "detector.json")
