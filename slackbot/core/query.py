"""Understand a question the way a SIG member types it: strip the phrasing, find dates, refs, people.

Pure: text and `now` in, a `Query` out. Matching against the notes happens in search.py.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field

from dateutil.relativedelta import relativedelta

from slackbot.core.links import BARE_URL, classify, clean_url
from slackbot.core.text import MONTHS

MAX_QUERY_CHARS = 500
FIRST_YEAR = 2014

# Question phrasing that carries intent but no topic. Order matters: longest first.
WHEN_PREFIX = re.compile(
    r"^(?:when|what\s+date|which\s+(?:meetings?|dates?|weeks?)|what\s+meetings?|how\s+often|last\s+time|"
    r"first\s+time|history\s+of|timeline(?:\s+of|\s+for)?)\b", re.I)
PHRASING = [
    re.compile(p, re.I)
    for p in (
        r"^(?:when|what\s+date)\s+(?:was|were|did|have|has|is|do)\s+(?:we\s+|sig[\s-]?node\s+|the\s+sig\s+)?"
        r"(?:last\s+|first\s+|ever\s+)?(?:discuss(?:ed)?|talk(?:ed)?\s+about|cover(?:ed)?|mention(?:ed)?|"
        r"bring\s+up|br(?:ought|ing)\s+up|present(?:ed)?|review(?:ed)?)?",
        r"^(?:which|what)\s+meetings?\s+(?:discussed|covered|talked\s+about|mentioned|had|were\s+about)?",
        r"^(?:last|first)\s+time\s+(?:we\s+)?(?:discussed|talked\s+about|covered|mentioned|saw)?",
        r"^how\s+often\s+(?:did|do|have)\s+(?:we\s+)?(?:discuss(?:ed)?|talk(?:ed)?\s+about)?",
        r"^(?:any\s+)?(?:news|updates?)\s+(?:on|about|for)\b",
        r"^(?:anything|something)\s+(?:on|about)\b",
        r"^(?:who\s+(?:presented|talked\s+about|discussed|proposed|owns|brought\s+up))\b",
        r"^(?:tell\s+me\s+about|show\s+me|find|search(?:\s+for)?|look\s+up|history\s+of|timeline(?:\s+of|\s+for)?)\b",
        r"^(?:what\s+(?:was|were|is|are)\s+(?:that|the|those)?)\b",
        r"\s+(?:discussed|talked\s+about|covered|mentioned|brought\s+up|presented)\s*$",
        r"\s+(?:was|were)\s*$",
    )
]
PERSON_QUESTION = re.compile(
    r"^(?:what|which\s+(?:items?|topics?))\s+(?:did|has|have)\s+@?(?P<who>[\w.-]+(?:\s+[A-Za-z]+)?)\s+"
    r"(?:present(?:ed)?|discuss(?:ed)?|propose[d]?|talk(?:ed)?\s+about|bring\s+up|br(?:ing|ought)\s+up|own|"
    r"cover(?:ed)?|show(?:ed)?|demo(?:ed)?)\b", re.I)
ISO_DATE = re.compile(r"\b((?:19|20)\d{2})-(\d{1,2})-(\d{1,2})\b")
MONTH_NAMES = "|".join(sorted(MONTHS, key=len, reverse=True))
MONTH_DAY_YEAR = re.compile(
    rf"\b(?P<month>{MONTH_NAMES})\.?\s+(?P<day>\d{{1,2}})(?:st|nd|rd|th)?\b(?:,?\s+(?P<year>(?:19|20)\d{{2}})\b)?",
    re.I)
DAY_MONTH_YEAR = re.compile(
    rf"\b(?P<day>\d{{1,2}})(?:st|nd|rd|th)?\s+(?P<month>{MONTH_NAMES})\b\.?(?:,?\s+(?P<year>(?:19|20)\d{{2}})\b)?",
    re.I)
MONTH_YEAR = re.compile(rf"\b(?:in\s+)?(?P<month>{MONTH_NAMES})\.?,?\s+(?P<year>(?:19|20)\d{{2}})\b", re.I)
YEAR_ONLY = re.compile(r"\b(?:in\s+)?((?:19|20)\d{2})\b")
RELATIVE = re.compile(r"\b(?:in\s+|during\s+)?(last|this|past)\s+(week|month|year|quarter)\b", re.I)
# A point in time as a scope's bound: `2022`, `May 2023`, `Q3 2023`.
POINT = rf"(?:(?P<{{n}}q>q[1-4])\s+|(?P<{{n}}m>{MONTH_NAMES})\.?\s+)?(?P<{{n}}y>(?:19|20)\d{{{{2}}}})"
BETWEEN = re.compile(r"\b(?:between|from)\s+" + POINT.format(n="a") + r"\s+(?:and|to|until|-)\s+"
                     + POINT.format(n="b") + r"\b", re.I)
SCOPED = re.compile(r"\b(?P<op>since|after|before|until|prior\s+to|from)\s+" + POINT.format(n="a") + r"\b", re.I)
QUARTER = re.compile(r"\b(?:in\s+|during\s+)?(?P<aq>q[1-4])\s+(?P<ay>(?:19|20)\d{2})\b", re.I)
MINE = re.compile(r"^(?:what\s+(?:did|have|has)\s+i\s+(?:present(?:ed)?|add(?:ed)?|propose[d]?|brought\s+up|"
                  r"bring\s+up)|(?:show\s+)?my\s+(?:items?|topics?|agenda\s+items?|presentations?))\b", re.I)
RECENT = re.compile(r"\b(?:recently|lately|recent|latest|these\s+days|nowadays)\b", re.I)
FULL_REF = re.compile(r"\b([\w.-]+)/([\w.-]+)#(\d+)\b")
NUMBER_REF = re.compile(
    r"(?:\b(?P<repo>community|enhancements|kubernetes|k/k)\s+)?(?:\b(?P<what>pr|pull|pulls|issue|issues|kep|"
    r"pull\s+request)\s*[-#:]?\s*|#)(?P<n>\d{2,6})\b|\b(?P<bare>\d{4,6})\b", re.I)
HANDLE = re.compile(r"(?<![\w@])@([A-Za-z0-9][\w-]*)")
STOPWORDS = {  # question words and the fillers around a topic in people's sentences
    "a", "an", "the", "of", "on", "in", "at", "to", "for", "about", "we", "our", "us", "did", "do", "does", "was",
    "were", "is", "are", "be", "been", "have", "has", "had", "what", "when", "who", "which", "where", "how", "that",
    "this", "those", "these", "any", "anything", "news", "discuss", "discussed", "discussing", "talk", "talked",
    "cover", "covered", "mention", "mentioned", "meeting", "meetings", "sig", "it", "there", "ever", "last", "time",
    "please", "me", "and", "or", "with", "by", "from", "i", "you", "they", "again", "updates", "update", "topic",
    "topics", "item", "items", "agenda", "regarding", "re", "ago", "sometime", "anyone", "anybody", "someone",
    "somebody", "everyone", "bring", "brought", "bringing", "up", "decided", "decide",
    "say", "said", "people", "remember", "recall", "discussion", "discussions", "conversation", "conversations",
    "find", "looking", "look", "present", "presented", "presenting", "something", "can", "could", "would", "should",
    "am", "its", "talking", "talks", "stuff", "thing", "things", "know", "tell", "show", "here", "some", "all",
    "meet", "met", "being", "demo", "demoed", "think", "thought", "mentioning", "happened", "happen",
    "covering", "folks", "team", "my", "mine", "ours", "whether", "if", "yet", "still",
}
REF_WORDS = {"pr", "pull", "pulls", "issue", "issues", "request"}


@dataclass
class DateRange:
    start: dt.date
    end: dt.date

    def contains(self, day: dt.date) -> bool:
        return self.start <= day <= self.end


@dataclass
class Query:
    raw: str
    when: bool = False
    recent: bool = False  # "recently", "lately": newest first, the last 12 months preferred
    mine: bool = False  # "my items": the asker's own (search.py resolves who that is)
    terms: list[str] = field(default_factory=list)
    people: list[str] = field(default_factory=list)
    refs: list[str] = field(default_factory=list)
    numbers: list[str] = field(default_factory=list)
    dates: list[DateRange] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    @property
    def empty(self) -> bool:
        return not (self.terms or self.people or self.refs or self.numbers or self.dates)


SLACK_USER = re.compile(r"<@([UW][A-Z0-9]{2,20})(?:\|[^<>]{0,80})?>")


def sanitise(text: str) -> str:
    """Drop control characters, read Slack's `<@U123|name>` as the person `@U123`, cap the length."""
    text = SLACK_USER.sub(r"@\1", text)
    text = "".join(c if c.isprintable() else " " for c in text)
    return " ".join(text.split())[:MAX_QUERY_CHARS]


def parse_query(text: str, now: dt.datetime) -> Query:
    """Split a question into what to match (terms), whom (people), which links and which dates."""
    raw = sanitise(text)
    q = Query(raw)
    if len(" ".join(text.split())) > MAX_QUERY_CHARS:
        q.notes.append(f"Only the first {MAX_QUERY_CHARS} characters of the question were used.")
    rest = raw.strip().rstrip("?!. ")
    q.when = bool(WHEN_PREFIX.match(rest))
    mine = MINE.match(rest)
    if mine:
        q.mine = True
        rest = rest[mine.end():]
    m = PERSON_QUESTION.match(rest)
    if m:
        q.people.append(m.group("who").lower().lstrip("@"))
        rest = rest[m.end():]
    rest = _take_urls(rest, q)
    rest = _take_refs(rest, q)
    rest = _take_dates(rest, q, now.date())
    for pattern in PHRASING:
        rest = pattern.sub(" ", rest).strip()
    for handle in HANDLE.findall(rest):
        q.people.append(handle.lower())
    rest = HANDLE.sub(" ", rest)
    words = [w for w in re.findall(r"[^\W_]+(?:[-'][^\W_]+)*", rest.lower())]
    kept = [w for w in words if w not in STOPWORDS and not (w in REF_WORDS and (q.numbers or q.refs))]
    if not kept and words and not (q.people or q.refs or q.numbers or q.dates):
        kept = [w for w in words if w not in {"the", "a", "an", "of"}] or words
    q.terms = kept
    return q


def _take_urls(rest: str, q: Query) -> str:
    for url in BARE_URL.findall(rest):
        cleaned = clean_url(url)
        kind, ref = classify(cleaned)
        q.refs.append(ref)
    return BARE_URL.sub(" ", rest)


def _take_refs(rest: str, q: Query) -> str:
    for m in FULL_REF.finditer(rest):
        q.refs.append(f"{m.group(1).lower()}/{m.group(2).lower()}#{m.group(3)}")
    rest = FULL_REF.sub(" ", rest)

    def number(m: re.Match[str]) -> str:
        n = m.group("n") or m.group("bare")
        if m.group("bare") and FIRST_YEAR <= int(n) <= 2099:
            return m.group(0)  # a year, handled with the dates
        repo = (m.group("repo") or "").lower()
        if repo in ("community", "enhancements"):
            q.refs.append(f"kubernetes/{repo}#{n}")
        elif (m.group("what") or "").lower() == "kep":
            q.refs += [f"KEP-{n}", f"kubernetes/enhancements#{n}"]
        else:
            q.numbers.append(n)
        return " "

    return NUMBER_REF.sub(number, rest)


def _take_dates(rest: str, q: Query, today: dt.date) -> str:
    def exact(year: int, month: int, day: int) -> DateRange | None:
        try:
            d = dt.date(year, month, day)
        except ValueError:
            q.notes.append(f"{year}-{month:02d}-{day:02d} is not a real date.")
            return None
        return DateRange(d, d)

    def iso(m: re.Match[str]) -> str:
        r = exact(int(m.group(1)), int(m.group(2)), int(m.group(3)))
        q.dates += [r] if r else []
        return " "

    rest = ISO_DATE.sub(iso, rest)
    rest = _take_scopes(rest, q, today)

    def month_day(m: re.Match[str]) -> str:
        month = MONTHS[m.group("month").lower().rstrip(".")]
        day = int(m.group("day"))
        years = [int(m.group("year"))] if m.group("year") else list(range(today.year, FIRST_YEAR, -1))
        for year in years:
            r = exact(year, month, day) if m.group("year") else _safe_day(year, month, day)
            q.dates += [r] if r else []
        return " "

    rest = MONTH_DAY_YEAR.sub(month_day, rest)
    rest = DAY_MONTH_YEAR.sub(month_day, rest)

    def month_year(m: re.Match[str]) -> str:
        start = dt.date(int(m.group("year")), MONTHS[m.group("month").lower()], 1)
        q.dates.append(DateRange(start, start + relativedelta(months=1, days=-1)))
        return " "

    rest = MONTH_YEAR.sub(month_year, rest)

    def relative(m: re.Match[str]) -> str:
        which, unit = m.group(1).lower(), m.group(2).lower()
        step = {"week": relativedelta(weeks=1), "month": relativedelta(months=1),
                "year": relativedelta(years=1), "quarter": relativedelta(months=3)}[unit]
        if which == "this":
            start = {"week": today - dt.timedelta(days=today.weekday()), "month": today.replace(day=1),
                     "year": today.replace(month=1, day=1),
                     "quarter": today.replace(month=(today.month - 1) // 3 * 3 + 1, day=1)}[unit]
            q.dates.append(DateRange(start, today))
        elif which == "last" and unit == "year":  # the calendar year before this one
            q.dates.append(DateRange(dt.date(today.year - 1, 1, 1), dt.date(today.year - 1, 12, 31)))
        else:
            q.dates.append(DateRange(today - step, today))
        return " "

    rest = RELATIVE.sub(relative, rest)
    if RECENT.search(rest):
        q.recent = True
        rest = RECENT.sub(" ", rest)
    if not q.dates:
        def year_only(m: re.Match[str]) -> str:
            year = int(m.group(1))
            q.dates.append(DateRange(dt.date(year, 1, 1), dt.date(year, 12, 31)))
            return " "

        rest = YEAR_ONLY.sub(year_only, rest)
    return rest


def _point(m: re.Match[str], n: str) -> DateRange:
    """The span a scope bound names: a year, a month of a year, or a quarter of a year."""
    year = int(m.group(f"{n}y"))
    if m.group(f"{n}q"):
        first = (int(m.group(f"{n}q")[1]) - 1) * 3 + 1
        start = dt.date(year, first, 1)
        return DateRange(start, start + relativedelta(months=3, days=-1))
    if m.group(f"{n}m"):
        start = dt.date(year, MONTHS[m.group(f"{n}m").lower()], 1)
        return DateRange(start, start + relativedelta(months=1, days=-1))
    return DateRange(dt.date(year, 1, 1), dt.date(year, 12, 31))


def _take_scopes(rest: str, q: Query, today: dt.date) -> str:
    """`between 2021 and 2022`, `since 2022`, `after May 2023`, `before 2021`, `in Q3 2023`."""
    earliest = dt.date(FIRST_YEAR, 1, 1)

    def between(m: re.Match[str]) -> str:
        a, b = _point(m, "a"), _point(m, "b")
        q.dates.append(DateRange(min(a.start, b.start), max(a.end, b.end)))
        return " "

    def scoped(m: re.Match[str]) -> str:
        point, op = _point(m, "a"), " ".join(m.group("op").lower().split())
        if op in ("since", "from"):
            q.dates.append(DateRange(point.start, max(today, point.start)))
        elif op == "after":
            q.dates.append(DateRange(point.end + dt.timedelta(days=1), max(today, point.end + dt.timedelta(days=1))))
        else:  # before, until, prior to
            q.dates.append(DateRange(earliest, point.start - dt.timedelta(days=1)))
        return " "

    def quarter(m: re.Match[str]) -> str:
        q.dates.append(_point(m, "a"))
        return " "

    rest = BETWEEN.sub(between, rest)
    rest = SCOPED.sub(scoped, rest)
    return QUARTER.sub(quarter, rest)


def _safe_day(year: int, month: int, day: int) -> DateRange | None:
    try:
        d = dt.date(year, month, day)
    except ValueError:
        return None
    return DateRange(d, d)
