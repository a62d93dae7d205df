"""Settings modules: base (local run), test (pytest) and production (docker-compose)."""
