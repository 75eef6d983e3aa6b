"""A seed-like catalog: 小米 the car maker beside 小米 the girl in children's stories."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

import pytest
from django.core.cache import cache
from django.utils import translation

from ting.catalog.models import Album, Track
from ting.catalog.tests.factories import make_album, make_anchor, make_category, make_track
from ting.discovery import index, services


@pytest.fixture(autouse=True)
def _fresh_cache() -> Iterator[None]:
    cache.clear()
    yield
    cache.clear()


@pytest.fixture(autouse=True)
def _english() -> Iterator[None]:
    """Reasons are compared as msgids; the page tests read whatever language is active."""
    with translation.override("en"):
        yield


@dataclass
class SeedCatalog:
    car_news: Album
    tech_news: Album
    business: Album
    stories: Album
    english: Album
    leak: Track  # 泄密小米汽車保密拍攝內容 (Traditional, as the seed page)
    stories_tracks: list[Track]


CAR_NEWS = [
    (
        "泄密小米汽車保密拍攝內容，ZAKER、小白買車致歉！",
        "小米汽車SU7的保密拍攝內容遭泄露，汽車媒體致歉。新能源汽車發布會前夕。",
    ),
    ("比亚迪发布新款电动汽车", "比亚迪新能源汽车销量创新高，电池续航提升，汽车市场竞争激烈。"),
    ("特斯拉降价，新能源汽车价格战", "特斯拉再次降价，电动汽车市场价格战升级，车企纷纷跟进。"),
    ("理想汽车交付量创纪录", "理想汽车月交付量突破五万辆，新能源汽车渗透率继续上升。"),
    ("小米SU7首批交付", "小米汽车首款车型SU7开始交付，雷军出席交付仪式，电动汽车市场关注。"),
]
TECH_NEWS = [
    ("小米发布新款手机", "小米手机新品发布，芯片性能提升，影像系统升级，科技公司竞争。"),
    ("华为芯片突破", "华为发布自研芯片，手机市场格局变化，科技产业链受关注。"),
    ("苹果发布会前瞻", "苹果公司将发布新款手机和电脑，芯片与人工智能功能成为焦点。"),
    ("人工智能大模型竞赛", "科技公司发布人工智能大模型，芯片算力需求上升，电动汽车智能驾驶。"),
]
BUSINESS = [
    ("雷军和小米的创业故事", "雷军创办小米公司，从手机到电动汽车，科技公司的商业版图。"),
    ("格力和小米的十亿赌约", "董明珠与雷军的赌约，格力与小米两家公司的营收对比，商业竞争。"),
    ("新能源车企融资潮", "多家新能源汽车公司完成融资，资本市场看好电动汽车赛道。"),
]
STORIES = [
    (
        "甜心小米：小米去上学",
        "小女孩小米第一天去幼儿园，认识了新朋友。睡前故事，适合三到六岁的小朋友。",
    ),
    ("甜心小米：小米和小狗", "小米在公园里遇到一只迷路的小狗，帮助小狗找到了家。睡前故事。"),
    ("甜心小米：小米过生日", "小米的生日到了，妈妈给她做了蛋糕，好朋友们都来了。儿童故事。"),
    ("甜心小米：小米学画画", "小米拿起画笔，画了彩虹和太阳，幼儿园老师夸她画得好。睡前故事。"),
    ("甜心小米：小米的新裙子", "奶奶送给小米一条新裙子，小米开心地跳起舞来。儿童故事。"),
]
ENGLISH = [
    ("小米读英语：动物单词", "跟小米一起读英语单词，动物篇，适合小学生英语启蒙。"),
    ("小米读英语：颜色单词", "跟小米一起读英语，颜色单词和简单句子，英语启蒙。"),
    ("小米读英语：数字歌", "小米带你唱英语数字歌，轻松学英语。"),
]


def _album(title: str, anchor_name: str, category: str, rows: list[tuple[str, str]]) -> Album:
    slug = {"科技": "tech", "汽车": "auto", "商业": "business", "儿童": "kids", "教育": "edu"}
    album = make_album(
        title=title,
        anchor=make_anchor(display_name=anchor_name),
        category=make_category(slug=slug[category], name_zh_hans=category, name_zh_hant=category),
    )
    for position, (track_title, intro) in enumerate(rows, start=1):
        make_track(album=album, title=track_title, intro=f"<p>{intro}</p>", position=position)
    return album


@pytest.fixture
def seed(db: None) -> SeedCatalog:
    car = _album("汽车快讯", "紅星新聞", "汽车", CAR_NEWS)
    tech = _album("科技早知道", "科技早报", "科技", TECH_NEWS)
    business = _album("商业观察", "财经夜读", "商业", BUSINESS)
    stories = _album("甜心小米", "凯叔讲故事", "儿童", STORIES)
    english = _album("小米读英语", "小米老师", "教育", ENGLISH)
    index.sync_index()
    services.neighbours_refresh()
    return SeedCatalog(
        car_news=car,
        tech_news=tech,
        business=business,
        stories=stories,
        english=english,
        leak=Track.objects.get(album=car, position=1),
        stories_tracks=list(Track.objects.filter(album=stories)),
    )
