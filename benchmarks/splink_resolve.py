"""splink (DuckDB backend) deduplicating author mentions; run by the competitors' interpreter.

``python benchmarks/splink_resolve.py IN.parquet OUT.parquet [THRESHOLD]`` reads the features written by
``benchmarks/splink_compare.py`` (unique_id, block_key, full_name, coauthors, venue, year,
title_tokens), trains the model without labels (u by random sampling, m by EM), predicts within
blocks of surname + first initial, clusters at a match probability of THRESHOLD (0.9) and writes
(unique_id, cluster_id). Prints one JSON line with its seconds. Imports nothing from the project.
"""

from __future__ import annotations

import json
import logging
import resource
import sys
import time

import duckdb
import splink.comparison_library as cl
from splink import DuckDBAPI, Linker, SettingsCreator, block_on

CLUSTER_THRESHOLD = 0.9


def _year_comparison() -> cl.CustomComparison:
    import splink.comparison_level_library as cll

    return cl.CustomComparison(
        output_column_name="year",
        comparison_levels=[
            cll.NullLevel("year"),
            cll.CustomLevel("abs(year_l - year_r) <= 1", label_for_charts="within 1 year"),
            cll.CustomLevel("abs(year_l - year_r) <= 4", label_for_charts="within 4 years"),
            cll.ElseLevel(),
        ],
    )


def main(source: str, target: str, threshold: float) -> None:
    started = time.perf_counter()
    con = duckdb.connect()
    db_api = DuckDBAPI(con)
    con.execute("CREATE TABLE mentions_input AS SELECT * FROM read_parquet(?)", [source])
    mentions = db_api.register("mentions_input", dataset_display_name="mentions")
    settings = SettingsCreator(
        link_type="dedupe_only",
        comparisons=[
            cl.JaroWinklerAtThresholds("full_name", [0.95, 0.88]),
            cl.ArrayIntersectAtSizes("coauthors", [2, 1]),
            cl.ExactMatch("venue"),
            _year_comparison(),
            cl.ArrayIntersectAtSizes("title_tokens", [3, 1]),
        ],
        blocking_rules_to_generate_predictions=[block_on("block_key")],
    )
    linker = Linker(mentions, settings, log_level=logging.WARNING)
    linker.training.estimate_probability_two_random_records_match([block_on("full_name")], recall=0.7)
    linker.training.estimate_u_using_random_sampling(max_pairs=1e6)
    linker.training.estimate_parameters_using_expectation_maximisation(block_on("block_key"))
    pairs = linker.inference.predict(threshold_match_probability=0.5)
    clusters = linker.clustering.cluster_pairwise_predictions_at_threshold(pairs, threshold)
    table = clusters.as_duckdbpyrelation().select("unique_id, cluster_id")
    table.write_parquet(target)
    seconds = time.perf_counter() - started
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(json.dumps({"seconds": seconds, "self_peak_mib": peak}))


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2], float(sys.argv[3]) if len(sys.argv) > 3 else CLUSTER_THRESHOLD)
