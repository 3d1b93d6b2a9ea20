"""Where notes come from: files, folders and http(s) URLs, and the links back to each meeting.

A source is read whole into memory (notes are at most a few hundred KB; the cap is notes.MAX_BYTES).
URLs are fetched with conditional headers so an unchanged live doc costs one 304.
"""

from __future__ import annotations

import hashlib
import re
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass
from pathlib import Path

from slackbot.core.notes import HEADING, MAX_BYTES, Meeting, clean_text, note_lines
from slackbot.errors import SourceError

COMMUNITY_REPO = "kubernetes/community"
ARCHIVE_NAME = re.compile(r"^meeting-notes-((?:19|20)\d{2})\.md$")
ARCHIVE_YEARS = range(2015, 2026)
USER_AGENT = "signode/0.1 (+https://github.com/kubernetes/community)"


def archive_urls(sig_dir: str = "sig-node", years: range = ARCHIVE_YEARS) -> list[str]:
    """The raw URLs of a SIG's yearly notes archive in kubernetes/community."""
    return [
        f"https://raw.githubusercontent.com/{COMMUNITY_REPO}/master/{sig_dir}/archive/meeting-notes-{y}.md"
        for y in years
    ]


@dataclass
class Fetched:
    """One source's bytes and what is needed to fetch it again cheaply."""

    uri: str
    name: str
    data: bytes
    etag: str = ""
    last_modified: str = ""

    @property
    def sha256(self) -> str:
        return hashlib.sha256(self.data).hexdigest()


def expand(sources: list[str]) -> list[str]:
    """Files and URLs stay as they are; a folder becomes its `*.md` files in name order (see `expand_tree`)."""
    return [path for path, _ in expand_tree(sources)]


def expand_tree(sources: list[str]) -> list[tuple[str, str | None]]:
    """(file or URL, the sub-folder it was found in) for each source. A folder gives its `*.md` files,
    then each sub-folder's (one level down: `corpus/sig-node/*.md`, `other-groups/sig-apps/*.md`);
    README files describe a folder and are not notes."""
    out: list[tuple[str, str | None]] = []
    for source in sources:
        if is_url(source):
            out.append((source, None))
            continue
        path = Path(source)
        if path.is_dir():
            found: list[tuple[str, str | None]] = [(str(p), None) for p in _notes_in(path)]
            for sub in sorted(p for p in path.iterdir() if p.is_dir() and not p.name.startswith(".")):
                found += [(str(p), sub.name) for p in _notes_in(sub)]
                for deeper in sorted(p for p in sub.iterdir() if p.is_dir() and not p.name.startswith(".")):
                    found += [(str(p), deeper.name) for p in _notes_in(deeper)]
            if not found:
                raise SourceError(f"{source}: folder has no .md files")
            out += found
        elif path.exists():
            out.append((str(path), None))
        else:
            raise SourceError(f"{source}: no such file or folder")
    return out


def _notes_in(folder: Path) -> list[Path]:
    return sorted(p for p in folder.iterdir() if p.is_file() and p.suffix.lower() in {".md", ".markdown"}
                  and not p.name.lower().startswith("readme"))


def is_url(source: str) -> bool:
    return source.startswith(("http://", "https://"))


def google_export_url(url: str) -> str:
    """A Google Docs `/edit` link becomes its markdown export link; other URLs are unchanged."""
    m = re.match(r"^(https://docs\.google\.com/document/d/[\w-]+)(?:/[^?#]*)?", url)
    if m and "export" not in url:
        return f"{m.group(1)}/export?format=md"
    return url


def read_source(source: str, timeout: float = 30.0, etag: str = "", last_modified: str = "") -> Fetched | None:
    """Read a file or URL. Returns None when the server says the URL has not changed (304)."""
    if not is_url(source):
        path = Path(source)
        try:
            with path.open("rb") as fh:
                data = fh.read(MAX_BYTES + 1)
        except OSError as exc:
            raise SourceError(f"{source}: {exc.strerror or exc}") from None
        return Fetched(str(path.resolve()), path.name, data)
    url = google_export_url(source)
    headers = {"User-Agent": USER_AGENT}
    if etag:
        headers["If-None-Match"] = etag
    if last_modified:
        headers["If-Modified-Since"] = last_modified
    request = urllib.request.Request(url, headers=headers)
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:  # noqa: S310 (http/https only)
            data = response.read(MAX_BYTES + 1)
            name = Path(urllib.parse.urlparse(response.geturl()).path).name or "notes.md"
            return Fetched(source, name, data, response.headers.get("ETag", ""),
                           response.headers.get("Last-Modified", ""))
    except urllib.error.HTTPError as exc:
        if exc.code == 304:
            return None
        raise SourceError(f"{source}: HTTP {exc.code} {exc.reason}") from None
    except TimeoutError:
        raise SourceError(f"{source}: timed out after {timeout:g} s") from None
    except urllib.error.URLError as exc:
        raise SourceError(f"{source}: cannot connect ({exc.reason})") from None
    except (ConnectionError, OSError) as exc:
        raise SourceError(f"{source}: connection failed ({exc})") from None


def web_url(uri: str, name: str, source_url: str = "", sig_dir: str = "sig-node") -> str:
    """The page people should open for a source: the GitHub archive page where we know it."""
    if source_url:
        return source_url
    m = re.match(r"^https://raw\.githubusercontent\.com/([\w.-]+)/([\w.-]+)/([^/]+)/(.+)$", uri)
    if m:
        org, repo, ref, path = m.groups()
        return f"https://github.com/{org}/{repo}/blob/{ref}/{path}"
    if is_url(uri):
        return uri
    if ARCHIVE_NAME.match(name):
        return f"https://github.com/{COMMUNITY_REPO}/blob/master/{sig_dir}/archive/{name}"
    return Path(uri).resolve().as_uri()


def github_slug(rendered: str) -> str:
    """The anchor GitHub gives a heading: lower case, punctuation dropped, spaces to hyphens."""
    slug = re.sub(r"[^\w\- ]", "", rendered.strip().lower())
    return slug.replace(" ", "-")


def heading_anchors(text: str) -> dict[int, str]:
    """Line number -> GitHub anchor for every heading, with GitHub's -1, -2 for repeats."""
    anchors: dict[int, str] = {}
    seen: dict[str, int] = {}
    for number, line in enumerate(note_lines(text), start=1):
        m = HEADING.match(line)
        if not m:
            continue
        rendered = re.sub(r"\\(.)", r"\1", (m.group("text") or "").strip()).rstrip("\\")
        rendered = re.sub(r"\[([^\]]*)\]\([^)]*\)", r"\1", rendered).replace("*", "").replace("`", "")
        slug = github_slug(rendered)
        if not slug:
            continue
        count = seen.get(slug, 0)
        seen[slug] = count + 1
        anchors[number] = slug if count == 0 else f"{slug}-{count}"
    return anchors


def meeting_url(base: str, meeting: Meeting, anchors: dict[int, str]) -> str:
    """A link a person can click to land on this meeting in its source."""
    anchor = anchors.get(meeting.line) if meeting.is_heading else None
    if base.startswith("https://github.com/"):
        if anchor:
            return f"{base}#{anchor}"
        return f"{base}?plain=1#L{meeting.line}"
    return f"{base}#{anchor or github_slug(clean_text(meeting.heading))}"


def source_label(uri: str) -> str:
    """A short name for progress lines."""
    return uri if is_url(uri) else Path(uri).name
