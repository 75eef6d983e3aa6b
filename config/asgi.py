import os

from django.core.asgi import get_asgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
django_application = get_asgi_application()

# After django.setup(): the stream view hands its file bodies to FileHandoff, which sends them
# from the event loop once Django has answered (ting/playback/delivery/handoff.py).
from ting.playback.delivery.handoff import FileHandoff  # noqa: E402

application = FileHandoff(django_application)
