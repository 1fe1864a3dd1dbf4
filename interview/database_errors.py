"""Which database errors mean "not reachable right now" rather than a bad query."""

from sqlalchemy.exc import DBAPIError, InterfaceError, OperationalError
from sqlalchemy.exc import TimeoutError as PoolTimeoutError


def is_database_unavailable(exc: BaseException) -> bool:
    """True when an error means the database cannot be reached right now, not a bad query.

    Lost or refused connections are `OperationalError` (or `InterfaceError` on a
    connection already closed); a full pool is SQLAlchemy's `TimeoutError`.
    """
    if isinstance(exc, OperationalError | InterfaceError | PoolTimeoutError):
        return True
    return isinstance(exc, DBAPIError) and exc.connection_invalidated
