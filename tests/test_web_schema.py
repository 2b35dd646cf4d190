"""Every JSON API operation, fed inputs generated from its own OpenAPI schema (schemathesis), never fails with a
server error and answers what its schema declares: its status codes (the app's one-line errors among them) and
its response bodies."""

from __future__ import annotations

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
CHECKS = [not_a_server_error, status_code_conformance, response_schema_conformance]


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
            for code in ("400", "401", "404"):  # the one-line errors every route may answer
                ref = operation["responses"][code]["content"]["application/json"]["schema"]["$ref"]
                assert ref.endswith("/Problem"), (method, path, code)
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
