"""What keeps and rebuilds the items' read models, and the one definition of the unit an item counts for."""
