"""Pipeline steps: each module exposes ``register(app)`` adding its Typer commands."""
