"""Find the links in a line of notes and say what each one points at.

Pure functions: a line of Google-Docs markdown in, `Link`s out. The `ref` is what a person would
type to find the link again (`kubernetes/kubernetes#63437`, `KEP-4112`, a Google Doc's id).
"""

from __future__ import annotations

import re
from dataclasses import dataclass


@dataclass(frozen=True)
class Link:
    url: str
    kind: str
    ref: str
    label: str = ""

    def as_dict(self) -> dict[str, str]:
        return {"url": self.url, "kind": self.kind, "ref": self.ref, "label": self.label}


# Linear on any input: a link cannot start at an escaped `[`, and an anchor's parts are bounded.
MARKDOWN_LINK = re.compile(r"(?<!\\)\[((?:\\.|[^\[\]\\])*)\]\(\s*<?(https?://[^)\s>]+)>?\s*\)")
HTML_ANCHOR = re.compile(r"<a\s[^<>]{0,1000}?href=\"(https?://[^\"<>]{1,3000})\"[^<>]{0,500}>(.{0,1000}?)</a>",
                         re.I | re.S)
BARE_URL = re.compile(r"https?://[^\s<>()\[\]\"'`]+")
TRAILING = ".,;:!?*_'\""

GITHUB_NUMBERED = re.compile(
    r"^https?://(?:www\.)?github\.com/([\w.-]+)/([\w.-]+)/(pull|pulls|issues)/(\d+)", re.I
)
GITHUB_KEP_PATH = re.compile(r"github\.com/kubernetes/enhancements/(?:tree|blob)/[^/]+/keps/[^/]+/(\d+)", re.I)
GITHUB_REPO = re.compile(r"^https?://(?:www\.)?github\.com/([\w.-]+)/([\w.-]+)", re.I)
GOOGLE_FILE = re.compile(r"docs\.google\.com/(document|presentation|spreadsheets|forms)/(?:u/\d+/)?d/([\w-]+)")
GOOGLE_KINDS = {"document": "doc", "presentation": "slides", "spreadsheets": "sheet", "forms": "form"}


def clean_url(url: str) -> str:
    """Undo Google-Docs markdown escapes and strip punctuation that ends a sentence, not the URL."""
    url = url.replace("\\_", "_").replace("\\-", "-").replace("\\#", "#").replace("\\*", "*")
    url = url.replace("&amp;", "&").replace("\\", "")
    while url and url[-1] in TRAILING:
        url = url[:-1]
    if url.endswith(")") and url.count("(") < url.count(")"):
        url = url[:-1]
    return url


def classify(url: str) -> tuple[str, str]:
    """Return (kind, ref) for a URL; unknown sites are kind `other` with the host and path as ref."""
    m = GITHUB_NUMBERED.match(url)
    if m:
        org, repo, what, number = m.groups()
        ref = f"{org.lower()}/{repo.lower()}#{number}"
        if (org.lower(), repo.lower()) == ("kubernetes", "enhancements"):
            return "kep", ref
        if (org.lower(), repo.lower()) == ("kubernetes", "community"):
            return "community-pr" if what.startswith("pull") else "community-issue", ref
        return ("pr" if what.startswith("pull") else "issue"), ref
    m = GITHUB_KEP_PATH.search(url)
    if m:
        return "kep", f"KEP-{m.group(1)}"
    m = GITHUB_REPO.match(url)
    if m:
        org, repo = m.groups()
        if (org.lower(), repo.lower()) == ("kubernetes", "community"):
            return "community", url.split("github.com/", 1)[1]
        return "github", f"{org.lower()}/{repo.lower()}"
    m = GOOGLE_FILE.search(url)
    if m:
        return GOOGLE_KINDS[m.group(1)], m.group(2)
    host_path = re.sub(r"^https?://(www\.)?", "", url)
    if host_path.startswith(("groups.google.com", "lists.")):
        return "mailing-list", host_path
    if host_path.startswith(("youtube.com", "youtu.be", "m.youtube.com")):
        return "video", host_path
    return "other", host_path


def _label(text: str) -> str:
    if "<" in text:
        text = re.sub(r"<[^>]+>", "", text)
    if "\\" in text:
        text = re.sub(r"\\(.)", r"\1", text)
    return " ".join(text.replace("**", "").split())


def extract_links(line: str) -> list[Link]:
    """Every distinct URL in the line, markdown and HTML links keeping their label, in order."""
    if "http" not in line:
        return []  # every pattern below starts its URL with http
    found: list[Link] = []
    seen: set[str] = set()

    def add(raw: str, label: str) -> None:
        url = clean_url(raw)
        if not url or url in seen:
            return
        seen.add(url)
        kind, ref = classify(url)
        lab = _label(label)
        found.append(Link(url, kind, ref, "" if clean_url(lab) == url else lab))

    rest = line
    if "</a>" in line.lower():
        for m in HTML_ANCHOR.finditer(line):
            add(m.group(1), m.group(2))
        rest = HTML_ANCHOR.sub(" ", rest)
    for m in MARKDOWN_LINK.finditer(rest):
        add(m.group(2), m.group(1))
    rest = MARKDOWN_LINK.sub(" ", rest)
    for m in BARE_URL.finditer(rest):
        add(m.group(0), "")
    return found
