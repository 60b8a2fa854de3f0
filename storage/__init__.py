"""The database (engine, sessions, migrations, queries) and the object store."""
