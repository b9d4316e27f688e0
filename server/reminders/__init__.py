"""Payment reminders: a schedule per organization, sent as e-mail, stopped when not owed."""
