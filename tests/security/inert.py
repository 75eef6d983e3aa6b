"""What "inert" means for each kind of output: HTML, JSON, XML feeds, e-mail."""

from __future__ import annotations

import json
from typing import Any

import lxml.etree
import lxml.html

# Attributes whose value a browser may load or navigate to.
URL_ATTRIBUTES = {"href", "src", "action", "formaction", "xlink:href", "data", "poster", "srcset"}
BAD_SCHEMES = ("javascript:", "vbscript:", "data:text/html", "data:image/svg")
# Elements no user-written text may ever become.
FORBIDDEN_TAGS = {"style", "object", "embed", "base", "applet", "frameset", "frame", "math"}
# The template-ish payload would print this if anything rendered user text as a template.
TEMPLATE_RESULT = "TINGXSS"


def html_problems(html: str, *, fragment: bool = False) -> list[str]:
    """Everything in `html` that could run script or style: the suite asserts there is none."""
    if not html.strip():
        return []
    root = (
        lxml.html.fragment_fromstring(html, create_parent="div")
        if fragment
        else (lxml.html.document_fromstring(html))
    )
    problems: list[str] = []
    for element in root.iter():
        if not isinstance(element.tag, str):
            continue  # comments and processing instructions
        tag = element.tag.lower().rsplit("}", 1)[-1]
        # json_script's data blocks never run (and it escapes "<" inside them); other scripts
        # come from our own origin only.
        if tag == "script" and element.get("type") != "application/json":
            src = element.get("src", "")
            if not src.startswith("/") or src.startswith("//"):
                problems.append(f"inline or foreign <script>: {lxml.html.tostring(element)[:99]!r}")
        if tag in FORBIDDEN_TAGS:
            problems.append(f"<{tag}> element")
        if tag == "iframe" and "/embed/" not in element.get("src", ""):
            problems.append(f"<iframe src={element.get('src')!r}>")
        if tag == "meta" and element.get("http-equiv", "").lower() == "refresh":
            problems.append("<meta http-equiv=refresh>")
        for name, value in element.attrib.items():
            name = name.lower().rsplit("}", 1)[-1]
            if name.startswith("on"):
                problems.append(f"<{tag} {name}=…> event handler")
            if name in {"style", "srcdoc"}:
                problems.append(f"<{tag} {name}=…>")
            cleaned = "".join(value.split()).lower()
            if name in URL_ATTRIBUTES and cleaned.startswith(BAD_SCHEMES):
                problems.append(f"<{tag} {name}={value[:40]!r}>")
    return problems


def assert_inert_html(html: str, where: str, *, fragment: bool = False) -> None:
    problems = html_problems(html, fragment=fragment)
    assert not problems, f"{where}: {problems}"
    assert TEMPLATE_RESULT not in html, f"{where}: user text was rendered as a template"


def assert_inert_json(content: bytes, content_type: str, where: str) -> Any:
    assert content_type.startswith("application/json"), f"{where}: served as {content_type}"
    data = json.loads(content)
    assert TEMPLATE_RESULT not in content.decode(), f"{where}: user text rendered as a template"
    return data


XML_URL_ATTRIBUTES = {"href", "url", "xmlurl", "htmlurl"}
# Feed elements whose text podcast apps show as HTML.
HTML_IN_FEEDS = ("description", "summary", "encoded")


def assert_inert_xml(content: bytes, where: str) -> None:
    """Well-formed XML (the payload cannot break the document), and its HTML parts sanitised."""
    parser = lxml.etree.XMLParser(resolve_entities=False, no_network=True)
    root = lxml.etree.fromstring(content, parser=parser)
    for element in root.iter():
        if not isinstance(element.tag, str):
            continue
        local = element.tag.rsplit("}", 1)[-1]
        if local in HTML_IN_FEEDS and element.text:
            assert_inert_html(element.text, f"{where} <{local}>", fragment=True)
        for name, value in element.attrib.items():
            if name.rsplit("}", 1)[-1].lower() not in XML_URL_ATTRIBUTES:
                continue  # text, such as an OPML outline's title
            cleaned = "".join(value.split()).lower()
            assert not cleaned.startswith(BAD_SCHEMES), f"{where}: <{local} {name}={value!r}>"
