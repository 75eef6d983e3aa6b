"""A bare Django ASGI app over urls_for_tests, for uvicorn in a subprocess.

Its own minimal settings, not config.settings: these tests pin what the delivery library and
the ASGI server do with bytes, independent of the project's middleware and database.
"""

from __future__ import annotations

import os
from pathlib import Path

import django
from django.conf import settings
from django.core.asgi import get_asgi_application

settings.configure(
    DEBUG=False,
    SECRET_KEY="ting-playback-tests-only",
    ALLOWED_HOSTS=["*"],
    ROOT_URLCONF="ting.playback.tests.urls_for_tests",
    INSTALLED_APPS=[],
    MIDDLEWARE=[],
    USE_TZ=True,
)
django.setup()

from ting.core.asgi_threads import ReusedThreads  # noqa: E402
from ting.playback.delivery.handoff import FileHandoff  # noqa: E402
from ting.playback.tests import urls_for_tests  # noqa: E402 (needs settings configured)

urls_for_tests.MEDIA_ROOT = Path(os.environ["TING_TEST_MEDIA_ROOT"])
# As in config/asgi.py: Django answers on a reused thread, FileHandoff sends the file bytes.
application = FileHandoff(ReusedThreads(get_asgi_application()))
# Without FileHandoff, for the tests that pin Django's own streaming path.
plain_application = get_asgi_application()
