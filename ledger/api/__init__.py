"""The ledger's REST API under /api/v1/ledger/."""
