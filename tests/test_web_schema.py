"""Every JSON API operation, fed inputs generated from its own OpenAPI schema (schemathesis), never fails with a
server error and answers what its schema declares: its status codes (or the app's one-line 400 and 404) and its
response bodies."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
import schemathesis
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, given, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import response_schema_conformance, status_code_conformance

from closeknit.web import create_app
from webkit import TOKEN

BEARER = {"Authorization": f"Bearer {TOKEN}"}
EXAMPLES = 20  # per operation: the whole API in well under two minutes
APP_ERRORS = (400, 404)  # an InputError or NotFoundError anywhere in the API: {"detail": "one line"}


def documented_status(ctx: Any, response: Any, case: Any) -> bool | None:
    """The status code is one the operation documents, or one of the app's own errors in its one shape (the app
    answers them for every route, whether or not a route lists them)."""
    if response.status_code in APP_ERRORS and str(case.operation.responses.status_codes).find(
            str(response.status_code)) < 0:
        body = json.loads(response.content)
        assert isinstance(body, dict) and list(body) == ["detail"] and isinstance(body["detail"], str), body
        assert "\n" not in body["detail"] and body["detail"], body
        return None
    return status_code_conformance(ctx, response, case)  # type: ignore[no-any-return]


CHECKS = [not_a_server_error, documented_status, response_schema_conformance]


def operations() -> list[tuple[str, str]]:
    """(method, path) of every operation in the API's OpenAPI document (the app needs no database for it)."""
    app = create_app(Path("/nonexistent/closeknit.db"), TOKEN)
    document = TestClient(app).get("/api/openapi.json", headers=BEARER).json()
    return [(method.upper(), path) for path, item in document.get("paths", {}).items() for method in item
            if method in ("get", "post", "put", "patch", "delete")]


def test_the_openapi_document_describes_the_api_with_schemas() -> None:
    app = create_app(Path("/nonexistent/closeknit.db"), TOKEN)
    document = TestClient(app).get("/api/openapi.json", headers=BEARER).json()
    assert document["openapi"].startswith("3.")
    for path, item in document.get("paths", {}).items():
        assert path.startswith("/api/"), f"{path}: a page in the API's schema (include_in_schema=False)"
        for method, operation in item.items():
            ok = {code: r for code, r in operation["responses"].items() if code.startswith("2")}
            assert ok, (method, path)
            for code, response in ok.items():
                if code == "204" or method == "delete":
                    continue
                schema = response.get("content", {}).get("application/json", {}).get("schema", {})
                assert schema not in ({}, None), f"{method.upper()} {path} {code}: no response schema declared"


@pytest.mark.parametrize(("method", "path"), operations())
def test_an_operation_holds_to_its_schema_whatever_it_is_sent(method: str, path: str, web_db: Path) -> None:
    app = create_app(web_db, TOKEN)  # each operation on its own copy of the demo: writes stay in it
    schema: Any = schemathesis.openapi.from_asgi("/api/openapi.json", app, headers=BEARER)
    operation = schema[path][method]

    @given(case=operation.as_strategy())
    @settings(max_examples=EXAMPLES, derandomize=True, deadline=None, database=None,
              suppress_health_check=list(HealthCheck))
    def holds(case: Any) -> None:
        case.call_and_validate(headers=BEARER, checks=CHECKS)

    holds()
