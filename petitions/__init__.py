"""Petition items (信访事项) from every channel: intake, routing, the statutory life cycle and documents."""
