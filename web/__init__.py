"""The clerks' web application and the HTTP API (FastAPI). It calls `flows` and `storage`."""
