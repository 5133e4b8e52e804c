"""Schemathesis over PlanBridge's own OpenAPI document: every operation, with generated valid
(positive) and invalid (negative) inputs, against the app and a real database, authenticated as
a project admin (personal access token for the Plan API, feed token for the feed and OData).
Zero 5xx, and every response (status, content type, headers, body) conforms to the document.

Bounded and reproducible: ``EXAMPLES`` derandomised examples per operation and mode. The
operations run one after another inside one test (Schemathesis's pytest loader does not support
pytest 9), and every failure of every operation is reported together.
"""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis.errors import Unsatisfiable
from schemathesis.checks import not_a_server_error
from schemathesis.generation.modes import GenerationMode
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)

EXAMPLES = 15
CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
]


def test_every_operation_conforms_and_never_fails_on_our_side(openapi_schema, contract_api):
    failures: list[str] = []
    operations = [result.ok() for result in openapi_schema.get_all_operations()]
    assert len(operations) > 40
    for operation in operations:
        for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE):

            @given(case=operation.as_strategy(generation_mode=mode))
            @settings(
                max_examples=EXAMPLES,
                deadline=None,
                derandomize=True,
                database=None,
                suppress_health_check=list(HealthCheck),
            )
            def run(case):
                for name, value in contract_api.path_values.items():
                    if name in (case.path_parameters or {}):
                        case.path_parameters[name] = value
                case.call_and_validate(headers=contract_api.headers_for(case.path), checks=CHECKS)

            try:
                run()
            except Unsatisfiable:
                continue  # no invalid input exists for an operation without parameters
            except (Exception, BaseExceptionGroup) as exc:
                failures.append(f"{operation.method.upper()} {operation.path} [{mode}]: {exc}")
    assert not failures, "\n\n".join(failures)
