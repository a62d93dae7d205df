"""The audit log: writing rows, checking the hash chain, sign-in rows and purging past retention."""
