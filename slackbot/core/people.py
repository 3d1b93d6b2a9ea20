"""Who is who in the notes: one person's many forms joined, with the reason for each join.

Notes name the same person as `[SergeyKanzhelev]`, `[Sergey]`, `Sergey Kanzhelev`, `(@dchen1107)`,
`dashpole@google.com`. Pure: owner names (with how often and when they appear) and Slack profiles in,
answers out. A typed name reaches an owner form when:
- it is that form (case and `@` aside), or the same letters without spaces or hyphens;
- the form is a handle built from the typed full name the way people build handles: first+last
  (`sergeykanzhelev`), first+middle+last (`derekwaynecarr`), first+start of last (`mrunalp`, `mikebrow`),
  initial(s)+last (`dchen1107`, `pehunt`, `fromani`, `decarr`), first name + last initial (`lantaol`);
- the form is an e-mail whose local part is one of the above;
- the form is a lone first name (`sergey`) and the typed full name is the only person with that first
  name among the forms in use in the same years (otherwise it is ambiguous and left out);
- the typed name is a Slack user's ID, real name or display name, and that profile's names reach it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from rapidfuzz.distance import OSA

MIN_REMAINDER = 1
CACHE_SIZE = 4096


@dataclass(frozen=True)
class Form:
    name: str  # as stored: lower case, single spaces
    count: int = 0
    first: str = ""  # first and last meeting date it appears on
    last: str = ""


@dataclass(frozen=True)
class SlackProfile:
    user_id: str
    real_name: str = ""
    display_name: str = ""


@dataclass
class Match:
    forms: list[str] = field(default_factory=list)
    reasons: dict[str, str] = field(default_factory=dict)

    def add(self, form: str, reason: str) -> None:
        if form not in self.reasons:
            self.forms.append(form)
            self.reasons[form] = reason


def _squash(text: str) -> str:
    return re.sub(r"[\s._-]+", "", text.lower())


def handle_reason(full: str, handle: str) -> str:
    """Why `handle` is a handle of the full name `full` ("" if it is not)."""
    words = [w for w in re.split(r"[\s._-]+", full.lower()) if w]
    if len(words) < 2:
        return ""
    local = handle.lower().split("@", 1)[0]
    core = re.sub(r"\d+$", "", _squash(local))
    first, last = words[0], words[-1]
    if not core or len(core) < 3:
        return ""
    if core == first + last or core == "".join(words):
        return "first and last name joined"
    if core.startswith(first) and core.endswith(last) and len(core) > len(first + last):
        return "first, middle and last name joined"
    rest = core[len(first):]
    if core.startswith(first) and len(rest) >= MIN_REMAINDER and last.startswith(rest):
        return "first name and the start of the last"
    for n in (1, 2):
        if core == first[:n] + last:
            return f"{'initial' if n == 1 else 'first letters'} and last name"
    return ""


class Directory:
    """Owner forms from the notes, plus Slack profiles, answering "which forms mean this person"."""

    def __init__(self, forms: list[Form], profiles: list[SlackProfile] | None = None) -> None:
        self.forms = {f.name: f for f in forms}
        self.profiles = {p.user_id.lower(): p for p in profiles or []}
        self.by_initial: dict[str, list[str]] = {}  # every handle derivation starts with the first name's initial
        for name in self.forms:
            self.by_initial.setdefault(name[:1], []).append(name)
        self._cache: dict[str, Match] = {}

    def resolve(self, typed: str) -> Match:
        """The owner forms a typed name (handle, full name, first name, Slack ID) refers to, with reasons."""
        typed = " ".join(typed.lower().lstrip("@").split())
        if typed not in self._cache:
            if len(self._cache) >= CACHE_SIZE:  # a long-running server sees endless distinct word pairs
                self._cache.clear()
            self._cache[typed] = self._resolve(typed)
        return self._cache[typed]

    def _resolve(self, typed: str) -> Match:
        match = Match()
        if not typed:
            return match
        profile = self.profiles.get(typed)
        names = [typed]
        if profile:
            names = [n.lower() for n in (profile.real_name, profile.display_name) if n]
            for n in names:
                match.add(n, f"Slack profile of {profile.user_id}") if n in self.forms else None
        for name in names:
            self._resolve_name(name, match)
        for name in list(match.forms):  # a full name found from a handle brings its own forms
            if " " in name and name not in names:
                self._resolve_name(name, match)
        self._spellings(match)
        return match

    def _spellings(self, match: Match) -> None:
        """E-mails and one-letter misspellings of the handles already found (`sergeykanzelev`)."""
        handles = [f for f in match.forms if " " not in f and "@" not in f and len(f) >= 8]
        locals_ = {f for f in match.forms if "@" not in f}
        for form in self.forms:
            if form in match.reasons:
                continue
            if "@" in form and form.split("@", 1)[0] in locals_:
                match.add(form, f"e-mail of {form.split('@', 1)[0]}")
            elif " " not in form and any(OSA.distance(form, h) == 1 for h in handles if abs(len(h) - len(form)) <= 1):
                match.add(form, "one letter from a handle of the same person")

    def _resolve_name(self, name: str, match: Match) -> None:
        squashed = _squash(name)
        same_initial = self.by_initial.get(name[:1], [])
        for form in same_initial:
            if form == name:
                match.add(form, "written this way in the notes")
            elif len(squashed) >= 4 and _squash(form) == squashed:
                match.add(form, "the same letters without spaces")
        if " " in name:
            for form in same_initial:
                reason = handle_reason(name, form)
                if reason and form not in match.reasons:
                    match.add(form, f"handle: {reason}")
            self._first_name(name, match)
        else:
            full_names = [f for f in self.forms if " " in f and (handle_reason(f, name) or f.split()[0] == name)]
            for full in full_names:
                if handle_reason(full, name):
                    match.add(full, f"full name of the handle ({handle_reason(full, name)})")
            if len(full_names) == 1 and full_names[0] not in match.reasons:
                match.add(full_names[0], "the only full name with this first name")

    def _first_name(self, full: str, match: Match) -> None:
        """Join a lone first name when no other person with that first name is active in the same years."""
        first = full.split()[0]
        lone = self.forms.get(first)
        if lone is None or len(first) < 3:
            return
        mine = [self.forms[f] for f in match.forms if f in self.forms]
        others = [f for f in self.forms.values() if f.count >= 2  # a form seen once may be a slip ("sergey recommends")
                  and f.name.split()[0] == first and " " in f.name and f.name != full and f.name not in match.reasons]
        others += [f for f in self.forms.values() if " " not in f.name and f.name != first and f.count >= 2
                   and f.name not in match.reasons and f.name.startswith(first) and len(f.name) > len(first) + 1]
        overlapping = [o for o in others if _overlaps(o, lone)]
        if not mine or overlapping:
            return
        if any(_overlaps(m, lone) for m in mine):
            match.add(first, "first name, used while no one else with it was active")

    def describe(self, typed: str) -> list[tuple[str, str, Form | None]]:
        """(form, why, its counts) for `signode people NAME`."""
        found = self.resolve(typed)
        return [(f, found.reasons[f], self.forms.get(f)) for f in found.forms]


def _overlaps(a: Form, b: Form) -> bool:
    """Whether two forms were in use in overlapping years (one year of slack on each side)."""
    if not (a.first and b.first):
        return True
    return int(a.first[:4]) - 1 <= int(b.last[:4]) and int(b.first[:4]) - 1 <= int(a.last[:4])
