"""Link classification and owner marks, one line at a time."""

from __future__ import annotations

import pytest

from slackbot.core.links import classify, extract_links
from slackbot.core.owners import extract_owners


@pytest.mark.parametrize("url, kind, ref", [
    ("https://github.com/kubernetes/kubernetes/pull/63437", "pr", "kubernetes/kubernetes#63437"),
    ("https://github.com/kubernetes/kubernetes/issues/64413", "issue", "kubernetes/kubernetes#64413"),
    ("https://github.com/kubernetes/enhancements/pull/4113", "kep", "kubernetes/enhancements#4113"),
    ("https://github.com/kubernetes/enhancements/tree/master/keps/sig-node/1287-in-place-update", "kep",
     "KEP-1287"),
    ("https://github.com/kubernetes/community/pull/2290", "community-pr", "kubernetes/community#2290"),
    ("https://github.com/kubernetes/community/blob/master/sig-node/README.md", "community",
     "kubernetes/community/blob/master/sig-node/README.md"),
    ("https://github.com/containerd/containerd/pull/7454", "pr", "containerd/containerd#7454"),
    ("https://docs.google.com/document/d/1abc_DEF-2/edit?usp=sharing", "doc", "1abc_DEF-2"),
    ("https://docs.google.com/presentation/d/1xyz/edit#slide=id.p", "slides", "1xyz"),
    ("https://docs.google.com/spreadsheets/d/1sheet/edit", "sheet", "1sheet"),
    ("https://groups.google.com/forum/#!forum/kubernetes-wg-lts", "mailing-list",
     "groups.google.com/forum/#!forum/kubernetes-wg-lts"),
    ("https://www.youtube.com/watch?v=abc", "video", "youtube.com/watch?v=abc"),
    ("https://example.org/x", "other", "example.org/x"),
])
def test_classify(url: str, kind: str, ref: str) -> None:
    assert classify(url) == (kind, ref)


def test_markdown_html_and_bare_links_with_labels_and_escapes() -> None:
    line = ('[Monitoring proposal](https://docs.google.com/document/d/1N/edit) see '
            '<a href="https://github.com/kubernetes/kubernetes/pull/1">PR one</a> and '
            'https://github.com/kubernetes/kubernetes/issues/2, also https://www.youtube.com/watch?v=a\\_b).')
    links = extract_links(line)
    assert [(ln.kind, ln.label) for ln in links] == [("pr", "PR one"), ("doc", "Monitoring proposal"),
                                                     ("issue", ""), ("video", "")]
    assert links[3].url == "https://www.youtube.com/watch?v=a_b"


def test_same_url_twice_is_one_link() -> None:
    url = "https://github.com/kubernetes/kubernetes/issues/129447"
    assert len(extract_links(f"\\[Zeel Patel\\] [{url}]({url})")) == 1


@pytest.mark.parametrize("line, owners", [
    ("Sandboxes API Decision (@tallclair)", ["tallclair"]),
    ("\\[Tim Allclair\\] Changing the CRI contract", ["tim allclair"]),
    ("[pohly, klueska] Dynamic resource allocation", ["pohly", "klueska"]),
    ("Graduate SupportPodPidsLimit to beta (Derek Carr)", ["derek carr"]),
    ("[Jess Frazelle / Kent Rancourt]: Proposal", ["jess frazelle", "kent rancourt"]),
    ("Owner: @x and @y review", ["x", "y"]),
    ("**Owner:** Jane Doe, slides attached", ["jane doe"]),
    ("wg-lts [Dhawal dbhanushali@vmware.com] intro", ["dbhanushali@vmware.com"]),
    ("[Virtual Kubelet (@rbitia)](https://docs.google.com/x)", ["rbitia"]),
    ("[Monitoring proposal update](https://docs.google.com/x) (@dashpole)", ["dashpole"]),
    ("Shrinking memory limits (in-place resize)", []),
    ("1.24 planning (ehashman OOO)", []),
    ("Feature X (1.22)", []),
    ("see https://github.com/@notaperson/x", []),
])
def test_owner_marks(line: str, owners: list[str]) -> None:
    assert extract_owners(line) == owners
