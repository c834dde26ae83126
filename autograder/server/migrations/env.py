"""Alembic's environment: the URL comes from the caller (db.migrate), never from an alembic.ini."""

from __future__ import annotations

from alembic import context

from autograder.server.models import Base

config = context.config
connection = config.attributes["connection"]
context.configure(connection=connection, target_metadata=Base.metadata, render_as_batch=True)
with context.begin_transaction():
    context.run_migrations()
