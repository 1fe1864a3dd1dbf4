"""Service URLs as they may be printed: the password replaced by `***`."""

from urllib.parse import urlsplit, urlunsplit

from sqlalchemy.engine import make_url


def without_password(url: str) -> str:
    """`url` with its password, if any, shown as `***`."""
    if url.startswith(("postgresql", "sqlite", "mysql")):
        return make_url(url).render_as_string(hide_password=True)
    parts = urlsplit(url)
    if parts.password is None:
        return url
    netloc = f"{parts.username or ''}:***@{parts.hostname}" + (
        f":{parts.port}" if parts.port else ""
    )
    return urlunsplit(parts._replace(netloc=netloc))


def password_of(url: str | None) -> str | None:
    """The password inside `url`, if any: what a printed message must not contain."""
    if not url:
        return None
    if url.startswith(("postgresql", "sqlite", "mysql")):
        return make_url(url).password
    return urlsplit(url).password
