"""Request ids: taken from X-Request-ID when well formed, echoed, and in every log line."""

from __future__ import annotations

import json
import logging

from django.db import OperationalError
from django.test import Client, RequestFactory

from ting.core import logs
from ting.core.views import server_error


def test_a_well_formed_request_id_is_kept_and_echoed(client: Client) -> None:
    response = client.get("/healthz", headers={"X-Request-ID": "edge-7f3a9c21"})
    assert response.headers["X-Request-ID"] == "edge-7f3a9c21"


def test_a_malformed_or_missing_request_id_is_replaced_by_a_fresh_one(client: Client) -> None:
    first = client.get("/healthz", headers={"X-Request-ID": "x" * 500})
    second = client.get("/healthz")
    assert len(first.headers["X-Request-ID"]) == 32
    assert first.headers["X-Request-ID"] != second.headers["X-Request-ID"]


def test_the_json_formatter_writes_one_object_with_the_request_id_and_extras() -> None:
    record = logging.makeLogRecord(
        {"name": "ting.access", "levelname": "INFO", "msg": "GET %s", "args": ("/",)}
    )
    record.status = 200
    token = logs.set_request_id("req-12345678")
    try:
        logs.RequestIdFilter().filter(record)
        line = json.loads(logs.JsonFormatter().format(record))
    finally:
        logs.reset_request_id(token)
    assert line["message"] == "GET /"
    assert line["request_id"] == "req-12345678"
    assert line["status"] == 200
    assert line["logger"] == "ting.access"


def test_a_database_outage_met_outside_a_view_still_answers_503() -> None:
    request = RequestFactory().get("/album/1/")
    try:
        raise OperationalError("connection to server at 127.0.0.1 failed: Connection refused")
    except OperationalError:
        response = server_error(request)
    assert response.status_code == 503
    assert response["Retry-After"]


def test_a_missing_table_is_a_deploy_mistake_and_keeps_its_500() -> None:
    request = RequestFactory().get("/")
    try:
        raise OperationalError("no such table: catalog_album")
    except OperationalError:
        response = server_error(request)
    assert response.status_code == 500
