"""`signode check-notes`: what the parser makes of a notes file, so a maintainer sees a new dialect at once.

For each file or URL: how many meetings it found, every line it took as a meeting start (with the date it
read), and every date-like line it rejected with the reason. Nothing is written to the database.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from slackbot.core.notes import Decision, Document
from slackbot.errors import SignodeError
from slackbot.index.ingest import read_and_parse


@dataclass
class FileReport:
    path: str
    error: str = ""
    doc: Document | None = None
    decisions: list[Decision] = field(default_factory=list)

    @property
    def meetings(self) -> int:
        return len(self.doc.dated) if self.doc else 0

    def as_dict(self) -> dict[str, Any]:
        doc = self.doc
        return {
            "file": self.path, "error": self.error or None, "meetings": self.meetings,
            "cancelled": sum(m.cancelled for m in doc.dated) if doc else 0,
            "undated_sections": len(doc.meetings) - len(doc.dated) if doc else 0,
            "starts": [{"line": m.line, "date": m.date.isoformat() if m.date else None, "heading": m.title,
                        "series": m.series, "cancelled": m.cancelled, "reason": m.cancel_reason}
                       for m in (doc.dated if doc else [])],
            "rejected": [{"line": d.line, "text": d.text, "reason": d.reason}
                         for d in self.decisions if not d.accepted],
        }


def check_file(path: str, year: int | None = None, timeout: float = 30.0) -> FileReport:
    """Parse one file or URL (a Google Doc link too) as `signode ingest` would, keeping the decisions
    instead of storing."""
    try:
        _, doc = read_and_parse(path, year, timeout)
    except SignodeError as exc:
        return FileReport(path, error=str(exc))
    return FileReport(path, doc=doc, decisions=doc.decisions)


def render(report: FileReport, verbose: bool) -> list[str]:
    """Lines for the terminal: a summary line, then the starts and rejections (all with --verbose)."""
    if report.error:
        return [f"✗ {report.path}: {report.error}"]
    data = report.as_dict()
    rejected = data["rejected"]
    plural = "" if data["meetings"] == 1 else "s"
    lines = [f"{'✓' if report.meetings else '✗'} {report.path}: {data['meetings']} meeting{plural} "
             f"({data['cancelled']} cancelled), {data['undated_sections']} undated sections, "
             f"{len(rejected)} date-like lines rejected"]
    starts = data["starts"] if verbose else data["starts"][:3]
    for s in starts:
        extra = (f" · series {s['series']}" if s["series"] else "") + (" · cancelled" if s["cancelled"] else "")
        lines.append(f"    line {s['line']:>5}  {s['date']}  {_short(s['heading'])}{extra}")
    if len(starts) < len(data["starts"]):
        lines.append(f"    … {len(data['starts']) - len(starts)} more starts (--verbose lists them all)")
    for r in rejected if verbose else rejected[:10]:
        lines.append(f"  ✗ line {r['line']:>5}  {r['reason']}: {_short(r['text'])}")
    if not verbose and len(rejected) > 10:
        lines.append(f"    … {len(rejected) - 10} more rejected lines (--verbose lists them all)")
    return lines


def _short(text: str, limit: int = 70) -> str:
    text = " ".join(text.split())
    return repr(text if len(text) <= limit else text[:limit - 1] + "…")
