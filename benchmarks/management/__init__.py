"""Management commands of the benchmark harness."""
