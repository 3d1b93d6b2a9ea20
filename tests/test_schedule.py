"""Schedules read from the real sigs.yaml, across daylight-saving changes."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from slackbot.cli import cli
from slackbot.core.schedule import MonthlyNth, Weekly, clock_time, parse_meeting, with_anchor, zone
from slackbot.errors import ConfigError
from slackbot.groups import load_groups, sigs_meetings
from tests.conftest import CORPUS

SIGS = CORPUS / "sigs.yaml"


def entry(group: str, description: str) -> dict[str, object]:
    for g, _sub, meeting in sigs_meetings(SIGS):
        if g == group and meeting.get("description") == description:
            return meeting
    raise AssertionError(f"{group}/{description} not in sigs.yaml")


def utc(times: list[dt.datetime]) -> list[str]:
    return [t.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ") for t in times]


def test_sig_node_weekly_tuesday_10_pacific_across_us_dst() -> None:
    rule = parse_meeting(entry("sig-node", "Main SIG Meeting")).rule
    assert rule == Weekly(1, dt.time(10), "America/Los_Angeles")
    after = dt.datetime(2026, 2, 28, tzinfo=dt.UTC)
    assert utc(rule.occurrences(after, 3)) == ["2026-03-03T18:00:00Z", "2026-03-10T17:00:00Z", "2026-03-17T17:00:00Z"]
    autumn = rule.occurrences(dt.datetime(2026, 10, 25, tzinfo=dt.UTC), 2)
    assert utc(autumn) == ["2026-10-27T17:00:00Z", "2026-11-03T18:00:00Z"]  # US DST ends 2026-11-01


def test_biweekly_with_anchor() -> None:
    parsed = parse_meeting(entry("sig-network", "SIG Network Multi-Network Meeting"))
    assert isinstance(parsed.rule, Weekly) and parsed.rule.interval == 2
    assert parsed.rule.anchor == dt.date(2025, 10, 28)
    times = parsed.rule.occurrences(dt.datetime(2026, 3, 20, tzinfo=dt.UTC), 2)
    assert utc(times) == ["2026-03-31T13:00:00Z", "2026-04-14T13:00:00Z"]
    assert all((t.date() - dt.date(2025, 10, 28)).days % 14 == 0 for t in times)


def test_monthly_nth_weekday_and_day_after_fourth_tuesday() -> None:
    azure = parse_meeting(entry("sig-cloud-provider", "Azure Subproject Meeting")).rule
    assert azure == MonthlyNth(1, 3, dt.time(16), "America/Los_Angeles")
    assert [t.date().isoformat() for t in azure.occurrences(dt.datetime(2026, 3, 1, tzinfo=dt.UTC), 2)] == \
        ["2026-03-17", "2026-04-21"]
    docs = next(parse_meeting(m).rule for g, _s, m in sigs_meetings(SIGS)
                if g == "sig-docs" and "after the fourth Tuesday" in str(m.get("frequency")))
    assert [t.date().isoformat() for t in docs.occurrences(dt.datetime(2026, 3, 1, tzinfo=dt.UTC), 2)] == \
        ["2026-03-25", "2026-04-29"]  # 4th Tuesdays: 2026-03-24, 2026-04-28
    last = parse_meeting({"day": "Wednesday", "time": "14:00", "tz": "ET (Eastern Time)",
                          "frequency": "monthly - last Wednesday every month"}).rule
    assert last.occurrences(dt.datetime(2026, 4, 1, tzinfo=dt.UTC), 1)[0].date() == dt.date(2026, 4, 29)


def test_cet_meeting_across_eu_dst() -> None:
    rule = parse_meeting(entry("sig-scheduling", "biweekly meeting (Asia & Europe)")).rule
    assert rule is not None and rule.tz == "Europe/Berlin"
    assert utc(rule.occurrences(dt.datetime(2026, 3, 20, tzinfo=dt.UTC), 2)) == \
        ["2026-03-24T08:00:00Z", "2026-04-07T07:00:00Z"]  # 09:00 CET, then 09:00 CEST after 2026-03-29


def test_undeterminable_says_what_it_needs() -> None:
    parsed = parse_meeting(entry("sig-apps", "Regular SIG Meeting"))
    assert parsed.rule is None and "anchor" in parsed.reason
    bare = parse_meeting({"day": "Thursday", "time": "8:00", "tz": "PT (Pacific Time)", "frequency": "monthly"})
    assert bare.rule is None and "which week" in bare.reason
    fixed = with_anchor(parsed, entry("sig-apps", "Regular SIG Meeting"), dt.date(2026, 3, 2))
    assert isinstance(fixed.rule, Weekly) and fixed.rule.anchor == dt.date(2026, 3, 2)


@pytest.mark.parametrize("label, name", [("PT (Pacific Time)", "America/Los_Angeles"), ("UTC", "UTC"),
                                         ("CET (Central European Time)", "Europe/Berlin"),
                                         ("Eastern Time (ET)", "America/New_York"), ("EST (Eastern Time)",
                                                                                     "America/New_York"),
                                         ("Poland", "Europe/Warsaw"), ("IST", "Asia/Kolkata"),
                                         ("Europe/Paris", "Europe/Paris"), ("Mars Time", None)])
def test_zones(label: str, name: str | None) -> None:
    assert zone(label) == name


@pytest.mark.parametrize("text, expected", [("9:00", dt.time(9)), ("09:00", dt.time(9)), ("2PM", dt.time(14)),
                                            ("12:30 am", dt.time(0, 30)), ("25:00", None), ("noonish", None)])
def test_clock_times(text: str, expected: dt.time | None) -> None:
    assert clock_time(text) == expected


def test_schedule_check_every_entry_of_sigs_yaml() -> None:
    result = CliRunner().invoke(cli, ["schedule", "check", str(SIGS), "--after", "2026-03-01T00:00:00Z",
                                      "--count", "2", "--json"])
    assert result.exit_code == 0
    rows = json.loads(result.output)
    assert len(rows) == sum(1 for _ in sigs_meetings(SIGS))
    for row in rows:
        assert {"group", "subproject", "description", "determinable", "next_utc", "reason"} <= set(row)
        if row["determinable"]:
            assert len(row["next_utc"]) == 2 and all(t > "2026-03-01T00:00:00Z" for t in row["next_utc"])
        else:
            assert row["next_utc"] is None and row["reason"]
    node = next(r for r in rows if r["group"] == "sig-node" and r["description"] == "Main SIG Meeting")
    assert node["next_utc"] == ["2026-03-03T18:00:00Z", "2026-03-10T17:00:00Z"]
    assert sum(r["determinable"] for r in rows) >= 40


def test_groups_file_round_trip(tmp_path: Path) -> None:
    out = tmp_path / "signode.toml"
    result = CliRunner().invoke(cli, ["groups", "import", str(SIGS), "--group", "sig-node", "--channel", "C0123",
                                      "--chair", "U0CHAIR", "-o", str(out)])
    assert result.exit_code == 0, result.output
    (group,) = load_groups(out)
    assert group.name == "sig-node" and group.channel == "C0123" and group.chairs == ("U0CHAIR",)
    assert group.schedule == Weekly(1, dt.time(10), "America/Los_Angeles")
    assert group.sources[0].startswith("https://docs.google.com/document/d/")
    assert [o.total_seconds() for o in group.reminder_offsets] == [86400, 3600]


@pytest.mark.parametrize("text, message", [
    ("not toml [[[", "not valid TOML"), ("[[group]]\nname = 'Bad Name'\n", "lower-case"),
    ("[[group]]\nname = 'x'\n[group.schedule]\nday='Tuesday'\ntime='9:00'\ntz='UTC'\nfrequency='biweekly'\n",
     "anchor"),
    ("[[group]]\nname='x'\nreminders=['soon']\n[group.schedule]\nday='Tuesday'\ntime='9:00'\ntz='UTC'\n", "24h"),
])
def test_bad_groups_file_is_a_clear_error(tmp_path: Path, text: str, message: str) -> None:
    path = tmp_path / "g.toml"
    path.write_text(text)
    with pytest.raises(ConfigError, match=message):
        load_groups(path)
