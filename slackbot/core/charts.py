"""A timeline's shape at a glance: meetings per year as a Unicode sparkline (`2016 ▁▃█▅▂ 2024`).

Pure; the same string goes to Slack and to the terminal. Years without a mention are the lowest bar
(`▁` means "none or few"), so a gap in the middle shows as a dip, not as a shorter line.
"""

from __future__ import annotations

BARS = "▁▂▃▄▅▆▇█"


def sparkline(per_year: dict[int, int]) -> str:
    """`2016 ▁▃█▅▂ 2020` for {2016: 1, 2017: 3, 2018: 9, 2019: 5, 2020: 2}; "" when nothing is dated."""
    counts = {y: c for y, c in per_year.items() if c > 0}
    if not counts:
        return ""
    first, last = min(counts), max(counts)
    top = max(counts.values())
    bars = "".join(BARS[0] if not counts.get(y) else BARS[max(1, round(counts[y] / top * (len(BARS) - 1)))]
                   for y in range(first, last + 1))
    return f"{first} {bars} {last}" if first != last else f"{first} {bars}"
