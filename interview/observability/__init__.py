"""Metrics and logs: what the service tells its operators.

`metrics.py` and `logs.py` import nothing of the app, so the domain can report
through them (`feedback/telemetry.py`) and gunicorn's config can use the log
format; `http.py` wires the per-request side and `/metrics` into the app.
"""
