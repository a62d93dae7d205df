"""Tests of the ledger app."""
