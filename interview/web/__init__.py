"""The practice pages."""

from flask import Blueprint, render_template

bp = Blueprint("web", __name__)


@bp.get("/")
def index():
    """Show the practice page."""
    return render_template("index.html")
