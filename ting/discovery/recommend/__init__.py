"""The recommender's Django-free core: the app's tasks and the benches call the same code."""

from ting.discovery.recommend.features import TrackText, decode, encode, track_text
from ting.discovery.recommend.neighbours import (
    Interaction,
    Item,
    Neighbour,
    Neighbours,
    Params,
    Reason,
    compute,
)

__all__ = [
    "Interaction",
    "Item",
    "Neighbour",
    "Neighbours",
    "Params",
    "Reason",
    "TrackText",
    "compute",
    "decode",
    "encode",
    "track_text",
]
