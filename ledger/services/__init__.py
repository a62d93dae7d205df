"""Every write of the ledger app: key cases, progress and strike-off, screening, sensitive periods."""
