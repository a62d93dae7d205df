"""Every write to petition items goes through these modules: intake, life cycle, documents, files, reveals."""
