"""No tables: an import is a new draft of the invoices feature (its content written through the
live room) and an entry in the audit log; nothing of the imported file is stored."""
