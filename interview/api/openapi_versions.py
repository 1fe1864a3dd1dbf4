"""The OpenAPI document in each version it is served in: 3.1 by default, 3.2 on request.

The document is written in OpenAPI 3.2, the first version that describes an
event stream event by event (`itemSchema` on a `text/event-stream` media
type). Client generators read 3.1 (openapi-python-client refuses anything
else), so 3.1 is the default and `?version=3.2` serves the original.

The 3.1 rendering changes only what 3.1 cannot say: its `openapi` is "3.1.0",
the version every 3.1 tool knows, and each event stream becomes a string
(`schema`) whose events are described by the media type's `x-itemSchema`, the
3.2 `itemSchema` unchanged (a media type may carry `x-` extensions). The
event schemas themselves are JSON Schema 2020-12, valid in both versions.
"""

DEFAULT_VERSION = "3.1"
OPENAPI_VERSIONS = {"3.1": "3.1.0", "3.2": "3.2.0"}
EVENT_STREAM = "text/event-stream"
ITEM_SCHEMA_EXTENSION = "x-itemSchema"
EVENT_STREAM_TEXT = {
    "type": "string",
    "description": (
        "Server-Sent Events; each event is described by this media type's "
        f"`{ITEM_SCHEMA_EXTENSION}` (OpenAPI 3.2's `itemSchema`, in `?version=3.2`)"
    ),
}


def as_openapi_31(document: dict) -> dict:
    """Return the OpenAPI 3.1 rendering of an OpenAPI 3.2 `document`."""
    paths = {
        path: {method: _operation_31(operation) for method, operation in operations.items()}
        for path, operations in document["paths"].items()
    }
    return {**document, "openapi": OPENAPI_VERSIONS["3.1"], "paths": paths}


def _operation_31(operation: dict) -> dict:
    responses = {
        status: {**response, "content": _content_31(response["content"])}
        if "content" in response
        else response
        for status, response in operation["responses"].items()
    }
    return {**operation, "responses": responses}


def _content_31(content: dict) -> dict:
    if EVENT_STREAM not in content:
        return content
    stream = {**content[EVENT_STREAM]}
    item_schema = stream.pop("itemSchema")
    stream = {"schema": EVENT_STREAM_TEXT, ITEM_SCHEMA_EXTENSION: item_schema, **stream}
    return {**content, EVENT_STREAM: stream}
