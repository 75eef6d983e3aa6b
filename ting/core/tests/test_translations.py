"""Every string the interface shows has a zh-Hans, a zh-Hant and an English translation.

The guard runs Django's own `makemessages` over a copy of the project's sources in a temporary
folder, so it always sees the msgids of the code as it is now, then checks each of them against
the three catalogs in locale/. A string added without a translation fails here (docs/adr/0002).
"""

from __future__ import annotations

import contextlib
import io
import os
import re
import shutil
import subprocess
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import call_command
from django.test.utils import override_settings

ROOT = Path(settings.BASE_DIR)
LOCALE_DIR = ROOT / "locale"

# Catalog folder -> the Plural-Forms header it must carry.
CATALOGS = {
    "zh_Hans": "nplurals=1; plural=0;",
    "zh_Hant": "nplurals=1; plural=0;",
    "en": "nplurals=2; plural=(n != 1);",
}

# Folders makemessages must not read: the same ones the command below names with --ignore,
# plus generated or cached ones that hold no source.
SKIPPED_DIRS = {
    ".venv",
    "var",
    "node_modules",
    "__pycache__",
    "locale",
    "build",
    "test-artifacts",
    "staticfiles",
}
SOURCE_SUFFIXES = {"django": {".py", ".html", ".txt"}, "djangojs": {".js"}}
JS_GETTEXT = re.compile(r"\b(?:n|p|np)?gettext(?:_noop)?\s*\(|\binterpolate\s*\(")

MAKEMESSAGES = (
    "TING_ENV=test .venv/bin/python manage.py makemessages -l zh_Hans -l zh_Hant -l en "
    "--ignore=.venv --ignore=var --no-location --no-obsolete"
)


# --- a small, strict reader for .po files -------------------------------------------------------

_KEYWORD = re.compile(r'^(msgctxt|msgid_plural|msgid|msgstr(?:\[(\d+)\])?)\s+(".*")\s*$')
_ESCAPES = {"n": "\n", "t": "\t", "r": "\r", '"': '"', "\\": "\\", "a": "\a", "b": "\b"}


def _unquote(quoted: str) -> str:
    if len(quoted) < 2 or not (quoted.startswith('"') and quoted.endswith('"')):
        raise ValueError(f"not a quoted PO string: {quoted!r}")
    return re.sub(r"\\(.)", lambda m: _ESCAPES.get(m[1], m[0]), quoted[1:-1])


@dataclass
class Entry:
    msgid: str = ""
    msgctxt: str | None = None
    msgid_plural: str | None = None
    msgstr: dict[int, str] = field(default_factory=dict)
    flags: set[str] = field(default_factory=set)

    @property
    def key(self) -> tuple[str | None, str]:
        return (self.msgctxt, self.msgid)

    def label(self) -> str:
        text = repr(self.msgid)
        if self.msgctxt is not None:
            text = f"{text} (context {self.msgctxt!r})"
        return text


def parse_po(text: str) -> tuple[dict[str, str], dict[tuple[str | None, str], Entry]]:
    """The header fields and the live entries of a .po/.pot file (obsolete `#~` ones skipped)."""
    entries: list[Entry] = []
    current = Entry()
    started = False  # current has a msgid
    target: tuple[str, int] | None = None

    def flush() -> None:
        nonlocal current, started, target
        if started:
            entries.append(current)
        current, started, target = Entry(), False, None

    for number, raw in enumerate(text.splitlines(), start=1):
        line = raw.strip()
        if not line:
            flush()
            continue
        if line.startswith("#"):
            if started and current.msgstr:
                flush()
            if line.startswith("#,"):
                current.flags |= {flag.strip() for flag in line[2:].split(",") if flag.strip()}
            continue
        match = _KEYWORD.match(line)
        if match:
            keyword, index, quoted = match.groups()
            if keyword in {"msgctxt", "msgid"} and current.msgstr:
                flush()
            value = _unquote(quoted)
            if keyword == "msgctxt":
                current.msgctxt, target = value, ("msgctxt", 0)
            elif keyword == "msgid":
                current.msgid, started, target = value, True, ("msgid", 0)
            elif keyword == "msgid_plural":
                current.msgid_plural, target = value, ("msgid_plural", 0)
            else:
                slot = int(index) if index is not None else 0
                current.msgstr[slot], target = value, ("msgstr", slot)
            continue
        if line.startswith('"') and target is not None:
            value = _unquote(line)
            name, slot = target
            if name == "msgstr":
                current.msgstr[slot] += value
            else:
                setattr(current, name, (getattr(current, name) or "") + value)
            continue
        raise ValueError(f"line {number} is not PO syntax: {raw!r}")
    flush()

    header: dict[str, str] = {}
    live: dict[tuple[str | None, str], Entry] = {}
    for entry in entries:
        if entry.msgid == "" and entry.msgctxt is None:
            for header_line in entry.msgstr.get(0, "").splitlines():
                name, _, value = header_line.partition(":")
                header[name.strip()] = value.strip()
            if "fuzzy" in entry.flags:
                header["#fuzzy"] = "yes"
        else:
            live[entry.key] = entry
    return header, live


# --- placeholders --------------------------------------------------------------------------------

_PRINTF = re.compile(
    r"%(?:\((?P<name>[^)]*)\))?[#0\- +]*(?:\*|\d+)?(?:\.(?:\*|\d+))?(?P<type>[diouxXeEfFgGcrsa%])"
)
_BRACE = re.compile(r"(?<!\{)\{([^{}]*)\}(?!\})")


def placeholders(text: str, flags: set[str]) -> tuple[str, ...]:
    """What formatting will fill in: named ones as a sorted set, positional ones in order."""
    found: list[str] = []
    if "python-format" in flags:
        named, positional = set(), []
        for match in _PRINTF.finditer(text):
            if match["type"] == "%":
                continue
            if match["name"] is not None:
                named.add(f"%({match['name']})")
            else:
                positional.append("%" + match["type"])
        found += sorted(named) + positional
    if "python-brace-format" in flags:
        found += sorted({"{" + m.split(":")[0].split("!")[0] + "}" for m in _BRACE.findall(text)})
    return tuple(found)


# --- collecting the msgids the code uses now -----------------------------------------------------


def _source_files(root: Path, suffixes: set[str]) -> Iterable[Path]:
    for dirpath, dirnames, filenames in os.walk(root):
        dirnames[:] = sorted(
            name
            for name in dirnames
            if not name.startswith(".")
            and name not in SKIPPED_DIRS
            and not name.endswith(".egg-info")
        )
        for name in filenames:
            if Path(name).suffix in suffixes and not name.startswith("."):
                yield Path(dirpath) / name


def js_uses_gettext(root: Path) -> bool:
    for path in _source_files(root, SOURCE_SUFFIXES["djangojs"]):
        if "/vendor/" in path.as_posix() or path.name.endswith(".min.js"):
            continue
        if JS_GETTEXT.search(path.read_text(encoding="utf-8", errors="replace")):
            return True
    return False


def current_msgids(
    source_root: Path, work_dir: Path, domain: str = "django"
) -> dict[tuple[str | None, str], Entry]:
    """The msgids `makemessages` extracts from source_root today, run on a copy in work_dir.

    makemessages writes preprocessed `*.html.py` files next to each template and a .pot into the
    locale folder, so it never runs on the real tree here: the copy takes those writes.
    """
    copy = work_dir / "src"
    for path in _source_files(source_root, SOURCE_SUFFIXES[domain]):
        target = copy / path.relative_to(source_root)
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(path, target)
    locale = copy / "locale"
    locale.mkdir(parents=True, exist_ok=True)
    output = io.StringIO()
    with override_settings(LOCALE_PATHS=[str(locale)]), contextlib.chdir(copy):
        call_command(
            "makemessages",
            locale=["en"],
            domain=domain,
            keep_pot=True,
            no_location=True,
            ignore_patterns=["vendor/*", "*.min.js"],
            verbosity=0,
            stdout=output,
            stderr=output,
        )
    pot = locale / f"{domain}.pot"
    if not pot.exists():  # no translatable string at all
        return {}
    _header, entries = parse_po(pot.read_text(encoding="utf-8"))
    return entries


def catalog_problems(
    wanted: dict[tuple[str | None, str], Entry], catalog: Path, plural_forms: str
) -> list[str]:
    """What keeps `catalog` from translating every msgid in `wanted` (empty when all is well)."""
    if not catalog.exists():
        return [f"the catalog file {catalog.relative_to(catalog.parents[3])} does not exist"]
    header, entries = parse_po(catalog.read_text(encoding="utf-8"))
    problems: list[str] = []
    if header.get("#fuzzy"):
        problems.append('the header entry (msgid "") is marked fuzzy: remove its "#, fuzzy" line')
    if header.get("Plural-Forms", "").replace(" ", "") != plural_forms.replace(" ", ""):
        problems.append(
            f"header Plural-Forms is {header.get('Plural-Forms')!r}, must be {plural_forms!r}"
        )
    nplurals = int(plural_forms.split(";")[0].split("=")[1])
    for key, source in sorted(wanted.items(), key=lambda item: (item[0][1], item[0][0] or "")):
        entry = entries.get(key)
        if entry is None:
            problems.append(f"not in the catalog (run makemessages): {source.label()}")
            continue
        if "fuzzy" in entry.flags:
            problems.append(f"fuzzy (check the text, then delete '#, fuzzy'): {source.label()}")
            continue
        if (entry.msgid_plural is None) != (source.msgid_plural is None):
            problems.append(f"singular/plural changed (run makemessages): {source.label()}")
            continue
        forms = range(nplurals) if source.msgid_plural is not None else range(1)
        if any(not entry.msgstr.get(form, "").strip() for form in forms):
            problems.append(f"untranslated (empty msgstr): {source.label()}")
            continue
        flags = source.flags | entry.flags
        for form in forms:
            if source.msgid_plural is None:
                original = source.msgid
            elif nplurals == 1 or form > 0:
                original = source.msgid_plural
            else:
                original = source.msgid
            expected = placeholders(original, flags)
            got = placeholders(entry.msgstr[form], flags)
            if expected != got:
                problems.append(
                    f"placeholders differ in msgstr[{form}] ({', '.join(got) or 'none'}; "
                    f"must be {', '.join(expected) or 'none'}): {source.label()}"
                )
    return problems


def _report(problems: dict[str, list[str]], domain: str) -> str:
    lines = [f"Some interface strings lack a translation ({domain} domain):", ""]
    for where, items in problems.items():
        lines.append(f"  {where}: {len(items)} problem(s)")
        lines += [f"    - {item}" for item in items]
        lines.append("")
    domain_flag = "" if domain == "django" else f" -d {domain}"
    lines += [
        "To fix:",
        "  1. Bring the catalogs up to date with the code (from the repository root):",
        f"       {MAKEMESSAGES}{domain_flag}",
        "  2. Translate each msgid listed above in every catalog named above:",
        "       zh_Hans: mainland Simplified (登录, 账号, 专辑, 声音, 默认, 信息 ...)",
        "       zh_Hant: Taiwan Traditional, not a character conversion (登入, 帳號, 專輯, 預設)",
        "       en:      msgstr is the English text itself (usually a copy of msgid)",
        "     Keep every %(name)s placeholder exactly; fill msgstr[0] in zh_* and msgstr[0..1]"
        " in en for plurals.",
        "     Delete each '#, fuzzy' flag once you have checked or rewritten its guessed text.",
        "  3. Compile them with `make messages` (compilemessages) and run this test again.",
    ]
    return "\n".join(lines)


def _require_gettext() -> None:
    missing = [tool for tool in ("xgettext", "msgmerge", "msgfmt") if not shutil.which(tool)]
    if missing:
        pytest.fail(
            f"GNU gettext is needed to check translations; missing {', '.join(missing)}. "
            "Install it (Debian/Ubuntu: sudo apt-get install gettext)."
        )


# --- the tests -----------------------------------------------------------------------------------


@pytest.mark.parametrize("domain", ["django", "djangojs"])
def test_every_interface_string_has_all_three_translations(tmp_path: Path, domain: str) -> None:
    _require_gettext()
    if domain == "djangojs" and not js_uses_gettext(ROOT):
        pytest.skip("no JavaScript calls gettext yet")
    wanted = current_msgids(ROOT, tmp_path, domain)
    assert wanted or domain != "django", "makemessages found no msgid at all: is the copy empty?"
    problems = {
        f"locale/{name}/LC_MESSAGES/{domain}.po": found
        for name, plural_forms in CATALOGS.items()
        if (
            found := catalog_problems(
                wanted, LOCALE_DIR / name / "LC_MESSAGES" / f"{domain}.po", plural_forms
            )
        )
    }
    assert not problems, _report(problems, domain)


@pytest.mark.parametrize("name", sorted(CATALOGS))
def test_each_catalog_compiles_cleanly(tmp_path: Path, name: str) -> None:
    """msgfmt --check: syntax, header and format strings, as compilemessages will see them."""
    _require_gettext()
    for po in sorted((LOCALE_DIR / name / "LC_MESSAGES").glob("*.po")):
        result = subprocess.run(
            ["msgfmt", "--check", "-o", str(tmp_path / f"{po.stem}.mo"), str(po)],
            capture_output=True,
            text=True,
            check=False,
        )
        assert result.returncode == 0, f"{po.relative_to(ROOT)} does not compile:\n{result.stderr}"


def test_no_catalog_keeps_a_fuzzy_entry() -> None:
    fuzzy = [
        f"{po.relative_to(ROOT)}: {entry.label()}"
        for po in sorted(LOCALE_DIR.glob("*/LC_MESSAGES/*.po"))
        for entry in parse_po(po.read_text(encoding="utf-8"))[1].values()
        if "fuzzy" in entry.flags
    ]
    assert not fuzzy, (
        "Fuzzy entries are guesses by msgmerge and are left out of the compiled catalog. "
        "Check or rewrite each, then delete its '#, fuzzy' line:\n  " + "\n  ".join(fuzzy)
    )


# --- the guard itself ----------------------------------------------------------------------------


def _write(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")


def test_the_guard_sees_strings_in_templates_and_python(tmp_path: Path) -> None:
    _require_gettext()
    project = tmp_path / "project"
    _write(
        project / "templates" / "page.html",
        '{% load i18n %}<h1>{% translate "Listen later" %}</h1>'
        "{% blocktranslate count counter=n %}{{ counter }} album{% plural %}"
        "{{ counter }} albums{% endblocktranslate %}",
    )
    _write(
        project / "app" / "views.py",
        "from django.utils.translation import gettext as _\n"
        'MESSAGE = _("Saved %(title)s") % {"title": "x"}\n',
    )
    _write(project / ".venv" / "lib" / "ignored.py", '_("Never collected")\n')
    found = current_msgids(project, tmp_path / "work")
    assert set(found) == {
        (None, "Listen later"),
        (None, "%(counter)s album"),
        (None, "Saved %(title)s"),
    }
    assert found[(None, "%(counter)s album")].msgid_plural == "%(counter)s albums"
    assert not list(project.rglob("*.html.py")), "makemessages must write into the copy only"


def test_the_guard_names_what_is_missing_fuzzy_or_wrong(tmp_path: Path) -> None:
    wanted: dict[tuple[str | None, str], Entry] = {
        (None, "Listen later"): Entry(msgid="Listen later"),
        (None, "Saved %(title)s"): Entry(msgid="Saved %(title)s", flags={"python-format"}),
        (None, "Gone"): Entry(msgid="Gone"),
        (None, "Draft"): Entry(msgid="Draft"),
        (None, "%(counter)s album"): Entry(
            msgid="%(counter)s album", msgid_plural="%(counter)s albums", flags={"python-format"}
        ),
    }
    catalog = tmp_path / "locale" / "zh_Hant" / "LC_MESSAGES" / "django.po"
    _write(
        catalog,
        'msgid ""\nmsgstr ""\n"Content-Type: text/plain; charset=UTF-8\\n"\n'
        '"Plural-Forms: nplurals=1; plural=0;\\n"\n\n'
        'msgid "Listen later"\nmsgstr "稍後再聽"\n\n'
        '#, python-format\nmsgid "Saved %(title)s"\nmsgstr "已儲存%(name)s"\n\n'
        '#, fuzzy\nmsgid "Draft"\nmsgstr "草稿"\n\n'
        '#, python-format\nmsgid "%(counter)s album"\nmsgid_plural "%(counter)s albums"\n'
        'msgstr[0] ""\n',
    )
    problems = catalog_problems(wanted, catalog, CATALOGS["zh_Hant"])
    assert len(problems) == 4, problems
    assert any(p.startswith("not in the catalog") and "'Gone'" in p for p in problems)
    assert any(p.startswith("fuzzy") and "'Draft'" in p for p in problems)
    assert any(p.startswith("untranslated") and "album" in p for p in problems)
    assert any(p.startswith("placeholders differ") and "%(title)" in p for p in problems)
    assert "make messages" in _report({"locale/zh_Hant/LC_MESSAGES/django.po": problems}, "django")
