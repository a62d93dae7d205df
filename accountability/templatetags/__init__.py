"""Template tags of the supervision pages."""
