"""Views of the leaders' pages."""
