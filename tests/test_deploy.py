"""The container and Kubernetes files agree with each other and with what `signode serve` accepts.

No image is built here (no registry access in tests); these checks catch the mistakes that would
only show in a cluster: a probe on the wrong port, a grace period shorter than the drain, two pods
on one SQLite volume, root in the container, an option `serve` does not have.
"""

from __future__ import annotations

import re
import shlex
import subprocess
import sys
from pathlib import Path
from typing import Any

import yaml

from tests.conftest import ROOT


def _docs() -> dict[str, dict[str, Any]]:
    return {d["kind"]: d for d in yaml.safe_load_all((ROOT / "deploy" / "kubernetes.yaml").read_text()) if d}


def _option(args: list[str], name: str) -> str:
    return args[args.index(name) + 1]


def _serve_options() -> set[str]:
    out = subprocess.run([sys.executable, "-m", "slackbot", "serve", "--help"], cwd=ROOT, capture_output=True,
                         text=True, check=True).stdout
    return set(re.findall(r"(--[a-z][a-z-]+)", out))


def test_dockerfile_runs_the_wheel_as_non_root_with_a_health_check_on_its_port() -> None:
    text = (ROOT / "Dockerfile").read_text()
    assert re.search(r"^FROM python:3\.11-slim", text, re.M)
    user = re.findall(r"^USER (\S+)", text, re.M)
    assert user and user[-1] not in ("root", "0")
    cmd = shlex.split(re.findall(r'^CMD \[(.*)\]$', text, re.M)[-1].replace(",", " "))
    assert cmd[:2] == ["serve", "--http"] and set(a for a in cmd if a.startswith("--")) <= _serve_options()
    port = _option(cmd, "--port")
    assert _option(cmd, "--host") == "0.0.0.0"
    assert f"127.0.0.1:{port}/healthz" in text and f"EXPOSE {port}" in text
    assert "SIGNODE_DB=/data/" in text and 'VOLUME ["/data"]' in text
    assert "pip install --no-cache-dir --no-index --find-links /wheels signode" in text  # the wheel, not -e


def test_kubernetes_runs_one_replica_that_drains_before_it_is_killed() -> None:
    docs = _docs()
    deployment = docs["Deployment"]
    spec = deployment["spec"]
    assert spec["replicas"] == 1 and spec["strategy"]["type"] == "Recreate"
    pod = spec["template"]["spec"]
    (container,) = pod["containers"]
    args = container["args"]
    assert set(a for a in args if a.startswith("--")) <= _serve_options()
    grace = float(_option(args, "--grace"))
    pre_stop = int(container["lifecycle"]["preStop"]["exec"]["command"][-1])
    assert pod["terminationGracePeriodSeconds"] >= pre_stop + grace + 3
    port = int(_option(args, "--port"))
    assert container["ports"][0]["containerPort"] == port
    for probe in ("readinessProbe", "livenessProbe"):
        assert container[probe]["httpGet"]["path"] == "/healthz"
        assert container[probe]["httpGet"]["port"] == container["ports"][0]["name"]
    db = next(e["value"] for e in container["env"] if e["name"] == "SIGNODE_DB")
    mounts = {m["name"]: m["mountPath"] for m in container["volumeMounts"]}
    assert str(Path(db).parent) == mounts["data"]
    claim = next(v for v in pod["volumes"] if v["name"] == "data")["persistentVolumeClaim"]["claimName"]
    assert claim == docs["PersistentVolumeClaim"]["metadata"]["name"]
    assert docs["PersistentVolumeClaim"]["spec"]["accessModes"] == ["ReadWriteOnce"]
    assert container["envFrom"][0]["secretRef"]["name"]
    assert not any("TOKEN" in e["name"] or "SECRET" in e["name"] for e in container.get("env", []))
    assert pod["securityContext"]["runAsNonRoot"] is True
