"""The benchmark, seeding and fault commands (`python manage.py help` lists them under [benchmarks])."""
