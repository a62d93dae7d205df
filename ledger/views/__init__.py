"""Views of the ledger pages."""
