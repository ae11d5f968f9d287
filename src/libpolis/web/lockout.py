"""Failed sign-ins: an exponential back-off per account, and a looser brake per address.

An account may fail ``free_failures`` times; after that each further attempt must wait
``backoff_s · 2^(failures − free_failures)`` seconds (at most ``backoff_max_s``) after the last
failure, until a sign-in succeeds. The count lives on the user's row in the store, so every
server process and every client address share it: attempts cannot be multiplied by rotating
``X-Forwarded-For`` or by running more workers. An attempt is counted *before* the password is
checked (with a compare-and-set on the count), so concurrent attempts cannot slip through
together either; a success resets the count.

E-mail addresses of no account get the same back-off in the process's memory, so a 429 does
not tell whether an account exists. Each client address (as resolved from the trusted proxies
of the settings) may fail ``address_max_failures`` times in 15 minutes, whatever the accounts:
a brake on trying one password against many accounts, set high so that people behind one
address do not lock each other out.
"""

from __future__ import annotations

import math
import threading
import time
from collections import OrderedDict
from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import update
from sqlalchemy.orm import Session

from libpolis.settings import Settings
from libpolis.store.tables import User
from libpolis.web.security import LoginRateLimiter, TooManyAttemptsError

__all__ = ["Backoff", "LoginGuard", "login_guard"]

_MAX_UNKNOWN = 10_000
"""E-mail addresses of no account whose failures are remembered (oldest forgotten first)."""


@dataclass(frozen=True)
class Backoff:
    """How long an account must wait after ``failures`` failed sign-ins, in seconds."""

    free_failures: int = 5
    backoff_s: float = 2.0
    backoff_max_s: float = 900.0

    def wait_s(self, failures: int) -> float:
        """The wait after the last of ``failures`` failures (0 while some are free)."""
        over = failures - self.free_failures
        if over < 0:
            return 0.0
        return min(self.backoff_max_s, self.backoff_s * 2.0 ** min(over, 60))


def _aware(t: datetime | None) -> datetime | None:
    """SQLite gives back naive datetimes; they were written in UTC."""
    if t is None or t.tzinfo is not None:
        return t
    return t.replace(tzinfo=UTC)


def _too_many(wait: float) -> TooManyAttemptsError:
    secs = math.ceil(wait)
    return TooManyAttemptsError(
        f"too many failed sign-ins for this account; try again in {secs} s",
        retry_after_s=secs,
    )


class LoginGuard:
    """Decides whether a sign-in may be tried, and records how it went."""

    def __init__(self, backoff: Backoff, *, address_max_failures: int = 100) -> None:
        self.backoff = backoff
        self.addresses = LoginRateLimiter(max_failures=address_max_failures, window_s=900.0)
        self._unknown: OrderedDict[str, tuple[int, float]] = OrderedDict()
        self._lock = threading.Lock()

    def reserve(self, db: Session, *, user: User | None, email: str, address: str) -> None:
        """Count this attempt as a failure before the password is checked, or refuse it.

        Commits the count at once (a failed sign-in rolls the request back).

        Raises
        ------
        TooManyAttemptsError
            The account (or unknown e-mail) is waiting out its back-off, the address is over
            its limit, or another attempt for the account is being counted right now.
        """
        self.addresses.check(f"ip:{address}")
        if user is None:
            self._reserve_unknown(email)
            return
        n = user.failed_logins or 0
        last = _aware(user.last_failed_login_at)
        now = datetime.now(UTC)
        waited = (now - last).total_seconds() if last else math.inf
        wait = self.backoff.wait_s(n) - waited
        if wait > 0:
            raise _too_many(wait)
        done = db.execute(
            update(User)
            .where(User.id == user.id, User.failed_logins == n)
            .values(failed_logins=n + 1, last_failed_login_at=now)
            .execution_options(synchronize_session=False)
        )
        db.commit()
        if done.rowcount != 1:  # another attempt for this account was counted meanwhile
            raise _too_many(1)

    def _reserve_unknown(self, email: str) -> None:
        now = time.monotonic()
        with self._lock:
            n, last = self._unknown.get(email, (0, -math.inf))
            wait = self.backoff.wait_s(n) - (now - last)
            if wait > 0:
                raise _too_many(wait)
            self._unknown[email] = (n + 1, now)
            self._unknown.move_to_end(email)
            while len(self._unknown) > _MAX_UNKNOWN:
                self._unknown.popitem(last=False)

    def failed(self, *, address: str) -> None:
        """The password was wrong (the account's count was raised by :meth:`reserve`)."""
        self.addresses.failed(f"ip:{address}")

    def succeeded(self, db: Session, *, user: User) -> None:
        """The password was right: the account's count starts again from zero."""
        db.execute(
            update(User)
            .where(User.id == user.id)
            .values(failed_logins=0, last_failed_login_at=None)
            .execution_options(synchronize_session=False)
        )


def login_guard(settings: Settings, free_failures: int | None = None) -> LoginGuard:
    """The guard the settings describe (``free_failures`` overrides theirs)."""
    backoff = Backoff(
        free_failures=free_failures or settings.login_free_failures,
        backoff_s=settings.login_backoff_s,
        backoff_max_s=settings.login_backoff_max_s,
    )
    return LoginGuard(backoff, address_max_failures=settings.login_address_max_failures)
