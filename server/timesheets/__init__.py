"""Time entries from a tracker's CSV (Toggl Track, Harvest, Clockify, or a mapped file) made
into invoice lines in hours, added to a draft through its live room (docs/integrations.md)."""
