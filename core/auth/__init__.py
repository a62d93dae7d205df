"""Signing in and access: the two-step sign-in, one-time codes, password rules, roles and browser names."""
