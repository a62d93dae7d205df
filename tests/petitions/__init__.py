"""Tests of petition items: intake, routing and the life cycle."""
