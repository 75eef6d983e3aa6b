from typing import Any

import pytest
from django.core.management import call_command


@pytest.mark.django_db
def test_every_periodic_task_can_be_enqueued(settings: Any) -> None:
    # The immediate backend runs each at once: a missing or broken task fails here.
    call_command("run_periodic", "--once")
