"""One normal form and one segmenter for documents and queries."""

from __future__ import annotations

from ting.discovery.recommend import decode, encode, track_text
from ting.discovery.text import clean_description, normalise, pinyin_tokens, search_tokens


def test_normalising_makes_scripts_widths_and_case_compare_equal() -> None:
    assert normalise("小米汽車ＳＵ７") == normalise("小米汽车su7") == "小米汽车su7"


def test_search_tokens_hold_words_and_single_characters() -> None:
    tokens = search_tokens("泄密小米汽車").split()
    assert {"小米", "汽车", "小", "米", "汽", "车"} <= set(tokens)


def test_pinyin_tokens_hold_full_pinyin_initials_and_the_whole_title() -> None:
    tokens = pinyin_tokens("小米汽车").split()
    assert {"xiaomi", "xm", "qiche", "qc", "xiaomiqiche", "xmqc"} <= set(tokens)


def test_cleaning_drops_urls_timestamps_and_credit_lines() -> None:
    text = "主播：宁家宇\n00:03:24 同事总问在吗\n更多见 https://example.com/x\n剪辑: 小米粒"
    cleaned = clean_description(text)
    assert "宁家宇" not in cleaned and "小米粒" not in cleaned
    assert "example" not in cleaned and "03:24" not in cleaned
    assert "同事总问在吗" in cleaned


def test_features_survive_being_stored() -> None:
    text = track_text(title="小米汽车发布", intro="<p>新能源汽车</p>", tags=["科技"])
    assert decode(encode(text)) == text
