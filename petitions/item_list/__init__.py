"""The item list: which lists are read through the items' reach, and the rows of its table."""
