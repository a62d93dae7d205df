"""Units, users and roles, the working-day calendar, the audit log and other foundations every app uses."""
