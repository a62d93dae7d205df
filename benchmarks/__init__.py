"""Benchmark and fault harnesses: seeding at scale, server process control and the measuring commands."""
