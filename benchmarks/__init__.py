"""Benchmarks of the pipeline, side by side with the tools users would use instead (issue 8).

Run with ``python -m benchmarks.run`` (``make bench``); the run writes ``BENCHMARKS.md``. These are
commands, never timed tests. Every timed unit runs in its own subprocess so its peak memory is its own.
"""
