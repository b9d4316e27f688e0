"""Background jobs in the application database: leases, retries, a dead letter, idempotency."""
