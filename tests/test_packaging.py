"""The built wheel, installed (not editable) into a fresh virtualenv, works from any directory."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
import sysconfig
import urllib.request
from pathlib import Path

from tests.conftest import NOTES, ROOT, listening_base, start_server
from tests.slack_client import command
from tests.slack_peer import SlackPeer


def _build_wheel(tmp: Path) -> Path:
    """Build from a copy of the tracked sources, so the checkout gets no build/ or egg-info."""
    src = tmp / "src"
    src.mkdir()
    for name in ("pyproject.toml", "README.md"):
        shutil.copy(ROOT / name, src / name)
    shutil.copytree(ROOT / "slackbot", src / "slackbot", ignore=shutil.ignore_patterns("__pycache__"))
    subprocess.run([sys.executable, "-m", "pip", "wheel", "-q", "--no-deps", "--no-build-isolation",
                    "-w", str(tmp / "dist"), str(src)], check=True, capture_output=True, timeout=300)
    return next((tmp / "dist").glob("signode-*.whl"))


def _fresh_venv(tmp: Path, wheel: Path) -> Path:
    """A new virtualenv with the wheel installed; its dependencies come from this test run's site-packages
    through a .pth line (tests never download), which does not make the checkout's code importable."""
    venv = tmp / "venv"
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(venv)], check=True, timeout=120)
    python = venv / "bin" / "python"
    subprocess.run([sys.executable, "-m", "pip", "--python", str(python), "install", "-q", "--no-deps",
                    str(wheel)], check=True, capture_output=True, timeout=300)
    site = subprocess.run([str(python), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
                          check=True, capture_output=True, text=True).stdout.strip()
    (Path(site) / "dependencies.pth").write_text(sysconfig.get_paths()["purelib"] + "\n")
    return venv


def test_installed_wheel_ingests_and_serves_from_another_directory(tmp_path: Path) -> None:
    wheel = _build_wheel(tmp_path)
    venv = _fresh_venv(tmp_path, wheel)
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    signode = str(venv / "bin" / "signode")
    where = subprocess.run([str(venv / "bin" / "python"), "-c", "import slackbot; print(slackbot.__file__)"],
                           cwd=elsewhere, capture_output=True, text=True, check=True).stdout
    assert where.startswith(str(venv)), where  # the installed copy, not the checkout
    db = elsewhere / "notes.db"
    ingested = subprocess.run([signode, "--db", str(db), "ingest", str(NOTES / "meeting-notes-2018.md")],
                              cwd=elsewhere, capture_output=True, text=True, timeout=120)
    assert ingested.returncode == 0, ingested.stderr
    assert "48 meetings" in ingested.stdout
    with SlackPeer() as peer:
        process = start_server(peer, db, program=[signode], cwd=elsewhere)
        try:
            base = listening_base(process)
            with urllib.request.urlopen(base + "/healthz", timeout=5) as health:
                assert health.status == 200 and json.loads(health.read())["ok"] is True
            answer = command(base + "/slack/events", "sandboxes api decision", peer.response_url("wheel"))
            assert answer.status == 200
            reply = peer.wait_for(lambda: peer.responses("wheel"))[0].body
            assert "2018-06-12" in json.dumps(reply)
        finally:
            process.terminate()
            process.wait(timeout=20)
