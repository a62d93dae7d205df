"""Running the system on a developer machine: the embedded PostgreSQL and Redis and the dev runner."""
