"""A real S3-compatible server for tests: moto's server on a loopback port, spoken to over HTTP.

`moto_server` starts one per test session; `s3_storage` points Ting at a fresh bucket on it
(STORAGE=s3, MEDIA_DELIVERY=redirect) for one test. Import both into an app's conftest.
"""

from __future__ import annotations

import logging
import socket
import time
import uuid
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from urllib.parse import parse_qs

import boto3
import pytest
from moto.moto_server.threaded_moto_server import ThreadedMotoServer
from moto.moto_server.werkzeug_app import (
    DomainDispatcherApplication,
    MotoRequestHandler,
    create_backend_app,
)
from werkzeug.serving import make_server

ACCESS_KEY = "testing-key"
SECRET_KEY = "testing-secret"
REGION = "us-east-1"

WsgiApp = Callable[[dict[str, Any], Callable[..., Any]], Iterable[bytes]]


def _refuse_expired(app: WsgiApp) -> WsgiApp:
    """Answer an expired presigned URL the way S3 does (403), which moto itself does not check.

    The rule is S3's documented one: refuse once X-Amz-Date + X-Amz-Expires is past. Ting's
    part is the expiry it signs into the URL; this lets a test see it enforced.
    """

    def wrapped(environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
        query = parse_qs(environ.get("QUERY_STRING", ""))
        if "X-Amz-Expires" in query and "X-Amz-Date" in query:
            signed = datetime.strptime(query["X-Amz-Date"][0] + "+0000", "%Y%m%dT%H%M%SZ%z")
            age = time.time() - signed.timestamp()
            if age > int(query["X-Amz-Expires"][0]):
                body = (
                    b'<?xml version="1.0" encoding="UTF-8"?><Error><Code>AccessDenied</Code>'
                    b"<Message>Request has expired</Message></Error>"
                )
                start_response("403 Forbidden", [("Content-Type", "application/xml")])
                return [body]
        return app(environ, start_response)

    return wrapped


class _Server(ThreadedMotoServer):
    def _server_entry(self) -> None:
        app = _refuse_expired(DomainDispatcherApplication(create_backend_app))
        self._server = make_server(
            self._ip_address, self._port, app, True, request_handler=MotoRequestHandler
        )
        self._server_ready_event.set()
        self._server.serve_forever()


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@dataclass(frozen=True)
class S3:
    endpoint: str
    bucket: str

    def client(self, *, key: str = ACCESS_KEY, secret: str = SECRET_KEY) -> Any:
        return boto3.client(
            "s3",
            endpoint_url=self.endpoint,
            region_name=REGION,
            aws_access_key_id=key,
            aws_secret_access_key=secret,
        )

    def keys(self, prefix: str = "") -> list[str]:
        listing = self.client().list_objects_v2(Bucket=self.bucket, Prefix=prefix)
        return sorted(entry["Key"] for entry in listing.get("Contents", ()))


@pytest.fixture(scope="session")
def moto_server() -> Iterator[str]:
    logging.getLogger("werkzeug").setLevel(logging.WARNING)  # one line per request otherwise
    server = _Server(ip_address="127.0.0.1", port=free_port(), verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    yield f"http://{host}:{port}"
    server.stop()


def use_s3(settings: Any, *, endpoint: str, bucket: str, key: str, secret: str) -> None:
    """Point Ting's default storage at a bucket, as STORAGE=s3 in the environment would."""
    from botocore.config import Config

    settings.STORAGE = "s3"
    settings.MEDIA_DELIVERY = "redirect"
    settings.S3_BUCKET = bucket
    settings.S3_ENDPOINT_URL = endpoint
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "storages.backends.s3.S3Storage",
            "OPTIONS": {
                "bucket_name": bucket,
                "endpoint_url": endpoint,
                "region_name": REGION,
                "access_key": key,
                "secret_key": secret,
                "client_config": Config(
                    s3={"addressing_style": "path"},
                    signature_version="s3v4",
                    connect_timeout=2,
                    read_timeout=10,
                    retries={"max_attempts": 1, "mode": "standard"},
                ),
                "file_overwrite": False,
                "querystring_auth": True,
            },
        },
    }


@pytest.fixture
def s3_storage(moto_server: str, settings: Any) -> S3:
    """Ting on STORAGE=s3 with a bucket of its own, empty at the start of the test."""
    bucket = f"ting-{uuid.uuid4().hex[:12]}"
    s3 = S3(endpoint=moto_server, bucket=bucket)
    s3.client().create_bucket(Bucket=bucket)
    use_s3(settings, endpoint=moto_server, bucket=bucket, key=ACCESS_KEY, secret=SECRET_KEY)
    return s3


@dataclass(frozen=True)
class MotoAuth:
    """IAM keys on the moto server, whose requests are now checked like AWS checks them."""

    full_key: str
    full_secret: str
    no_rights_key: str
    no_rights_secret: str
    uploads_only_key: str
    uploads_only_secret: str


@pytest.fixture
def moto_auth(moto_server: str, monkeypatch: pytest.MonkeyPatch) -> MotoAuth:
    """Turn on moto's credential and IAM policy checks for one test."""
    from moto import settings as moto_settings

    iam = boto3.client(
        "iam",
        endpoint_url=moto_server,
        region_name=REGION,
        aws_access_key_id=ACCESS_KEY,
        aws_secret_access_key=SECRET_KEY,
    )
    suffix = uuid.uuid4().hex[:8]
    keys = []
    uploads_only = (
        '{"Version": "2012-10-17", "Statement": ['
        '{"Effect": "Allow", "Action": "s3:*", "Resource": "arn:aws:s3:::*/uploads/*"},'
        '{"Effect": "Allow", "Action": "s3:ListBucket", "Resource": "arn:aws:s3:::*"}]}'
    )
    everything = (
        '{"Version": "2012-10-17", "Statement": '
        '[{"Effect": "Allow", "Action": "s3:*", "Resource": "*"}]}'
    )
    for name, policy in (("full", everything), ("none", None), ("uploads", uploads_only)):
        user = f"ting-{name}-{suffix}"
        iam.create_user(UserName=user)
        if policy:
            iam.put_user_policy(
                UserName=user,
                PolicyName="s3",
                PolicyDocument=policy,
            )
        key = iam.create_access_key(UserName=user)["AccessKey"]
        keys.append((key["AccessKeyId"], key["SecretAccessKey"]))
    monkeypatch.setattr(moto_settings, "INITIAL_NO_AUTH_ACTION_COUNT", 0)
    return MotoAuth(*keys[0], *keys[1], *keys[2])
