from ting.core.script import Script, convert, script_for, to_simplified


def test_it_converts_phrases_for_taiwan_readers() -> None:
    assert convert("鼠标和软件", Script.HANT_TW) == "滑鼠和軟體"


def test_it_converts_whole_words_so_nothing_stays_half_converted() -> None:
    # The seed page kept 于 in 關于; phrase-level OpenCC never does.
    assert convert("关于小米汽车的内容", Script.HANT_TW) == "關於小米汽車的內容"


def test_it_gives_simplified_readers_simplified_text() -> None:
    assert convert("關於小米汽車", Script.HANS) == "关于小米汽车"


def test_it_leaves_text_as_written_for_english_readers() -> None:
    assert convert("關於小米", Script.ORIGINAL) == "關於小米"


def test_it_normalises_both_scripts_to_one_form() -> None:
    assert to_simplified("網絡") == to_simplified("网络")


def test_it_picks_hong_kong_forms_for_hong_kong_browsers() -> None:
    assert script_for("zh-hant", "zh-HK,zh;q=0.9") is Script.HANT_HK
    assert script_for("zh-hant", "zh-TW") is Script.HANT_TW
    assert script_for("zh-hans") is Script.HANS
    assert script_for("en") is Script.ORIGINAL
