"""Alembic environment: migrations run on a connection handed in by server.core.db.migrate."""

from __future__ import annotations

from alembic import context

from server.core.db import Base
from server.core.features import import_models

import_models()  # every feature's tables join Base.metadata
connection = context.config.attributes.get("connection")
if connection is None:
    raise SystemExit("run migrations with `python -m server migrate`")

context.configure(connection=connection, target_metadata=Base.metadata, render_as_batch=True)
with context.begin_transaction():
    context.run_migrations()
