"""What the browser tests share besides fixtures: the server handle, console log, screenshots."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from playwright.sync_api import ConsoleMessage, Page

SCREENSHOTS = Path(__file__).resolve().parent.parent.parent / "docs" / "screenshots"


@dataclass(frozen=True)
class TingServer:
    """A running server and what the seed put in its database."""

    base_url: str
    anchor_id: int
    album_id: int
    track_id: int
    other_track_ids: list[int]
    audio_album_id: int
    audio_track_ids: list[int]

    def url(self, path: str) -> str:
        return self.base_url + path


@dataclass
class ConsoleLog:
    """Console errors and uncaught exceptions a page reported; tests assert it stays empty."""

    errors: list[str] = field(default_factory=list)

    def watch(self, page: Page) -> Page:
        def on_console(message: ConsoleMessage) -> None:
            if message.type == "error":
                self.errors.append(f"console: {message.text} ({message.location})")

        page.on("console", on_console)
        page.on("pageerror", lambda error: self.errors.append(f"page error: {error}"))
        return page


def screenshot(page: Page, name: str) -> Path:
    """Save the viewport as docs/screenshots/<name>.png (committed for the README)."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    path = SCREENSHOTS / f"{name}.png"
    page.mouse.move(0, 0)  # no hover state left over from the click that got here
    page.screenshot(path=path, full_page=False, animations="disabled", caret="hide")
    return path
