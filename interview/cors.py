"""CORS for browser frontends on other origins (INTERVIEW_CORS_ORIGINS; none by default).

Only the listed origins get CORS headers, echoed one at a time (never `*`),
without credentials: such frontends authenticate with a bearer key, not the
pages' cookie. Preflights may ask for the headers streaming clients send,
including the openai SDK's `X-Stainless-*`.
"""

from flask import Flask, Response, current_app, request

ALLOWED_METHODS = "GET, POST, DELETE, OPTIONS"
ALLOWED_HEADERS = frozenset(
    {
        "authorization",
        "content-type",
        "last-event-id",
        "idempotency-key",
        "prefer",
        "accept",
        "cache-control",
    }
)
EXPOSED_HEADERS = (
    "Location, Retry-After, X-RateLimit-Limit, X-RateLimit-Remaining, X-RateLimit-Reset"
)
PREFLIGHT_MAX_AGE_S = "600"


def _allowed_header(name: str) -> bool:
    name = name.strip().lower()
    return name in ALLOWED_HEADERS or name.startswith("x-stainless-")


def add_cors_headers(response: Response) -> Response:
    origin = request.headers.get("Origin")
    if not origin or not request.path.startswith("/api/"):
        return response
    response.vary.add("Origin")
    if origin not in current_app.config["INTERVIEW_CORS_ORIGINS"]:
        return response
    response.headers["Access-Control-Allow-Origin"] = origin
    response.headers["Access-Control-Expose-Headers"] = EXPOSED_HEADERS
    if request.method == "OPTIONS" and "Access-Control-Request-Method" in request.headers:
        asked = request.headers.get("Access-Control-Request-Headers", "")
        names = [name.strip() for name in asked.split(",") if name.strip()]
        if all(_allowed_header(name) for name in names):
            response.headers["Access-Control-Allow-Methods"] = ALLOWED_METHODS
            response.headers["Access-Control-Allow-Headers"] = ", ".join(names)
            response.headers["Access-Control-Max-Age"] = PREFLIGHT_MAX_AGE_S
    return response


def register_cors(app: Flask) -> None:
    app.after_request(add_cors_headers)
