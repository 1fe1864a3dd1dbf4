"""Defaults in the OpenAPI document, as client generators read them.

openapi-typescript (with its default `defaultNonNullable`) types a property
that has a default as always present, in a component schema even when a
request sends it: null defaults are dropped, and the defaults of what requests
send are said in words.
"""

import json


def without_null_defaults(document: dict) -> dict:
    """Drop the `default: null` that marshmallow's `load_default=None` adds to properties.

    It says no more than an optional nullable property does, and openapi-typescript
    (with its default `defaultNonNullable`) types a property that has a default as
    always present: frontends would have to send `role: null`, and would expect
    `errors` on every problem.
    """
    for schema in document["components"]["schemas"].values():
        for name, field in schema.get("properties", {}).items():
            if "default" in field and field["default"] is None:
                schema["properties"][name] = {k: v for k, v in field.items() if k != "default"}
    return document


def request_defaults_in_words(document: dict) -> dict:
    """Say the defaults of what requests send in each property's description instead.

    openapi-typescript exempts a request body written inline from its
    `defaultNonNullable`, not a component one: a frontend would have to send
    `seniority` and every kind of a session's `mix`.
    """
    schemas = document["components"]["schemas"]
    for name in _request_schemas(document):
        for field in schemas[name].get("properties", {}).values():
            if "default" in field:
                default = json.dumps(field.pop("default"))
                said = f"Default: `{default}`."
                field["description"] = (
                    f"{field['description']} {said}" if "description" in field else said
                )
    return document


def _request_schemas(document: dict) -> set[str]:
    """The component schemas request bodies use, and those they nest."""
    bodies = [
        operation["requestBody"]
        for operations in document["paths"].values()
        for operation in operations.values()
        if "requestBody" in operation
    ]
    found: set[str] = set()
    pending = _referenced(bodies)
    while pending:
        name = pending.pop()
        found.add(name)
        pending |= _referenced(document["components"]["schemas"][name]) - found
    return found


def _referenced(value) -> set[str]:
    """The component schemas `value` refers to."""
    if isinstance(value, list):
        return set().union(*(_referenced(v) for v in value))
    if not isinstance(value, dict):
        return set()
    names = {value["$ref"].rpartition("/")[2]} if "$ref" in value else set()
    return names.union(*(_referenced(v) for v in value.values()))
