"""The web face: FastAPI app, routes, templates and the register's store helpers."""
