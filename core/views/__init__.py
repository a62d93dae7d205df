"""Core pages: sign-in, home, units, calendar, audit log, account."""
