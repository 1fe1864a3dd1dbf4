"""GET /healthz: up, and the database answers."""

from flask import Blueprint
from sqlalchemy import text

from ..errors import problem
from ..extensions import db

bp = Blueprint("health", __name__)


@bp.get("/healthz")
def healthz():
    """Report whether the service can reach its database (503 when it cannot)."""
    try:
        db.session.execute(text("SELECT 1"))
        db.session.commit()
    except Exception:
        db.session.rollback()
        return problem(503, "The database does not answer.")
    return {"status": "ok", "database": "ok"}
