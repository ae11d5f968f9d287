"""Failed sign-ins: an exponential back-off per account, and a looser brake per address.

An account may fail ``free_failures`` times; after that each further attempt must wait
``backoff_s · 2^(failures − free_failures)`` seconds (at most ``backoff_max_s``) after the last
failure, until a sign-in succeeds. The count lives on the user's row in the store, so every
server process and every client address share it: attempts cannot be multiplied by rotating
``X-Forwarded-For`` or by a restart. In one process the attempts for one account are checked one
at a time (count read, password checked, outcome written), so concurrent guesses cannot slip
past the count together, while concurrent sign-ins with the right password all succeed; with W
worker processes at most W attempts are in flight at once. A success resets the count.

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
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from libpolis.settings import Settings
from libpolis.store.tables import User
from libpolis.web.security import LoginRateLimiter, TooManyAttemptsError

__all__ = ["Backoff", "LoginGuard", "login_guard"]

_MAX_UNKNOWN = 10_000
"""E-mail addresses of no account whose failures are remembered (oldest forgotten first)."""
_STRIPES = 64
"""Locks that take the attempts of one account (by e-mail) one at a time in a process."""


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


class _Outcome:
    """Whether the password was right; set inside :meth:`LoginGuard.attempt`."""

    ok: bool = False
    failures: int = 0  # the account's count when the attempt began


class LoginGuard:
    """Decides whether a sign-in may be tried, and records how it went."""

    def __init__(self, backoff: Backoff, *, address_max_failures: int = 100) -> None:
        self.backoff = backoff
        self.addresses = LoginRateLimiter(max_failures=address_max_failures, window_s=900.0)
        self._unknown: OrderedDict[str, tuple[int, float]] = OrderedDict()
        self._lock = threading.Lock()
        self._stripes = [threading.Lock() for _ in range(_STRIPES)]

    @contextmanager
    def attempt(
        self, db: Session, *, user: User | None, email: str, address: str
    ) -> Iterator[_Outcome]:
        """Check whether a sign-in may be tried; the caller checks the password inside and
        sets ``.ok`` on what this yields; the outcome is recorded on the way out (a failure is
        committed at once: the request itself is rolled back).

        Raises
        ------
        TooManyAttemptsError
            The account (or unknown e-mail) is waiting out its back-off, or the address is
            over its limit.
        """
        self.addresses.check(f"ip:{address}")
        outcome = _Outcome()
        with self._stripes[hash(email) % _STRIPES]:
            if user is None:
                self._check_unknown(email)
            else:
                outcome.failures = self._check_account(db, user)
            try:
                yield outcome
            finally:
                if not outcome.ok:
                    self._failed(db, user, email, address)
                elif user is not None and outcome.failures:
                    self._reset(db, user)

    def _check_account(self, db: Session, user: User) -> int:
        n, last = db.execute(
            select(User.failed_logins, User.last_failed_login_at).where(User.id == user.id)
        ).one()
        waited = (datetime.now(UTC) - _aware(last)).total_seconds() if last else math.inf
        wait = self.backoff.wait_s(n or 0) - waited
        if wait > 0:
            raise _too_many(wait)
        return n or 0

    def _check_unknown(self, email: str) -> None:
        with self._lock:
            n, last = self._unknown.get(email, (0, -math.inf))
        wait = self.backoff.wait_s(n) - (time.monotonic() - last)
        if wait > 0:
            raise _too_many(wait)

    def _failed(self, db: Session, user: User | None, email: str, address: str) -> None:
        self.addresses.failed(f"ip:{address}")
        if user is None:
            with self._lock:
                n, _ = self._unknown.get(email, (0, 0.0))
                self._unknown[email] = (n + 1, time.monotonic())
                self._unknown.move_to_end(email)
                while len(self._unknown) > _MAX_UNKNOWN:
                    self._unknown.popitem(last=False)
            return
        db.execute(  # one atomic step: attempts in other processes all count
            update(User)
            .where(User.id == user.id)
            .values(failed_logins=User.failed_logins + 1, last_failed_login_at=datetime.now(UTC))
            .execution_options(synchronize_session=False)
        )
        db.commit()

    @staticmethod
    def _reset(db: Session, user: User) -> None:
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
