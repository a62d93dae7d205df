"""Tests of the clock engine (accountability): deadlines, extensions, pauses and recomputation."""
