"""Every write to core data goes through one of these modules; each call is one transaction with an audit row."""
