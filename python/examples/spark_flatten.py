"""The bundled corpus through Spark in local mode, the way a notebook on Databricks, Fabric or
Synapse would run it over a data lake of raw Graph JSON.

    pip install pyspark 'pandas<3' && maturin develop -m python/Cargo.toml
    python python/examples/spark_flatten.py [FOLDER]

Each executor runs the Rust parser on its files (``mapInArrow``); Spark gets typed columns:
durations as exact ``long`` nanoseconds, timestamps, ``linkSpeed`` as ``long``, enums as text.
"""

import os
import pathlib
import sys

from pyspark.sql import SparkSession, functions as F

import callrecords.spark

root = pathlib.Path(__file__).resolve().parents[2]
folder = sys.argv[1] if len(sys.argv) > 1 else str(root / "corpus" / "docs")

os.environ.setdefault("PYSPARK_PYTHON", sys.executable)
spark = (
    SparkSession.builder.master("local[2]")
    .appName("callrecords-example")
    .config("spark.ui.enabled", "false")
    .config("spark.sql.session.timeZone", "UTC")
    .getOrCreate()
)
spark.sparkContext.setLogLevel("ERROR")

files = spark.read.format("binaryFile").option("pathGlobFilter", "*.json*").load(folder)
streams = callrecords.spark.flatten(files, "streams")
streams.printSchema()

(
    streams.groupBy("quality")
    .agg(
        F.count("*").alias("streams"),
        F.round(F.avg("averageJitterNs") / 1e6, 2).alias("avg jitter ms"),
        F.round(F.avg("averageRoundTripTimeNs") / 1e6, 2).alias("avg rtt ms"),
    )
    .orderBy("quality")
    .show()
)

sessions = callrecords.spark.flatten(files, "sessions")
print(f"{sessions.count()} sessions, {streams.count()} streams in {folder}")
spark.stop()
