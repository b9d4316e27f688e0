"""E-mail: messages composed from templates, delivered over SMTP or kept in the outbox."""
