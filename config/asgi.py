import gc
import os

from django.core.asgi import get_asgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
django_application = get_asgi_application()

# After django.setup(). Byte requests (/stream/…) take Django's sync handler in one thread hop
# and their files are sent from the event loop (ting/playback/asgi.py); every other request
# goes through Django's ASGI handler, on a reused thread (ting/core/asgi_threads.py), and a file
# a view hands off is sent by FileHandoff (ting/playback/delivery/handoff.py).
from ting.core.asgi_threads import ReusedThreads  # noqa: E402
from ting.playback.asgi import StreamRoute  # noqa: E402
from ting.playback.delivery.handoff import FileHandoff  # noqa: E402

application = StreamRoute(FileHandoff(ReusedThreads(django_application)))

# Everything loaded so far lives as long as the process: out of the collector's sight, the full
# collections that a request's many short-lived objects trigger no longer walk the whole app
# (the collector was ~3 % of a byte request's CPU under bench/stream.py).
gc.freeze()
