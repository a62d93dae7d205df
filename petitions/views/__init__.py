"""Petition pages: intake, lists, the item page with its steps, documents, attachments, the public query."""
