from __future__ import annotations

from django.contrib.auth.models import AbstractUser


class User(AbstractUser):
    """A person with an account. Becoming an anchor adds a catalog.Anchor beside it.

    Custom from the first migration so that later fields need no swap of the user model.
    """

    def __str__(self) -> str:
        return self.username
