"""Turning the stream log and the player's beacons into downloads and plays (docs/counting.md).

``downloads`` and ``plays`` are pure: rows in, counts out. ``run`` reads and writes the database.
"""
