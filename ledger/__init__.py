"""The key-case ledger (重点信访问题台账), dispute screening (排查) and sensitive periods."""
