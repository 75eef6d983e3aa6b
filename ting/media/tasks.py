"""Thin task wrappers: ids in, one service call."""

from __future__ import annotations

from django_tasks import task

from ting.media import integrity, services


@task()
def process_audio_asset(asset_id: int) -> None:
    services.asset_process(asset_id=asset_id)


@task()
def reap_stuck_assets() -> None:
    services.assets_reap_stuck()


@task()
def verify_renditions() -> None:
    integrity.renditions_verify()


@task()
def repair_renditions(asset_id: int) -> None:
    integrity.renditions_repair(asset_id=asset_id)
