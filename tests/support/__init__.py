"""Test support: plain helpers, and the fixture plugins the root conftest registers once."""
