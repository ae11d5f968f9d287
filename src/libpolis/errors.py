"""The single error root of libpolis.

Every error raised on purpose by libpolis derives from :class:`LibpolisError`; each subclass
also inherits the matching built-in so callers may catch either. Errors carry an HTTP status so
the web layer turns them into responses in one place, and the CLI turns them into one line and
exit code 2.
"""

from __future__ import annotations

__all__ = [
    "DataError",
    "LibpolisError",
    "LibpolisWarning",
    "MissingColumnError",
    "NotFoundError",
    "PermissionDeniedError",
    "StoreError",
]


class LibpolisError(Exception):
    """Root of every libpolis error. ``status`` is the HTTP status the web layer uses."""

    status: int = 400

    def __init__(self, message: str, *, where: str | None = None) -> None:
        self.message = message
        self.where = where
        super().__init__(f"{where}: {message}" if where else message)


class DataError(LibpolisError, ValueError):
    """Input data is wrong: the message names file, row and column where known."""

    status = 422


class MissingColumnError(DataError, KeyError):
    """A required column is absent; the message lists the columns that were found."""

    def __str__(self) -> str:  # KeyError would otherwise quote the message
        return Exception.__str__(self)


class NotFoundError(LibpolisError, LookupError):
    """A requested record, file or workspace does not exist."""

    status = 404


class PermissionDeniedError(LibpolisError, PermissionError):
    """The current user may not do this."""

    status = 403


class StoreError(LibpolisError, RuntimeError):
    """The workspace store cannot be opened or migrated."""

    status = 500


class LibpolisWarning(UserWarning):
    """The one warning class of libpolis."""
