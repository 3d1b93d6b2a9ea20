"""SIG Node's concepts and their other names, used both ways when matching a question.

Each entry is one concept: its forms as people write them in the notes and in questions. A query
that says one form also matches the others, at a lower weight than the words the person typed
(`search.OTHER_NAME`). Acronyms are entries too (`dra` <-> `dynamic resource allocation`); the
notes' own "Long Form (LF)" definitions are added at load time (`Store.acronyms`). Every entry is
checked against the 2015-2025 notes by `tests/test_search_sentences.py::test_glossary_entries_are_in_the_notes`
(at least one form of each must occur there), so the list stays about this SIG's vocabulary.
Forms are lower case, words separated by single spaces.
"""

from __future__ import annotations

CONCEPTS: list[tuple[str, ...]] = [
    ("nfd", "node feature discovery"),
    ("npd", "node problem detector"),
    ("cri", "container runtime interface"),
    ("kep", "kubernetes enhancement proposal", "enhancement proposal"),
    ("gmsa", "group managed service account"),
    ("userns", "user namespace", "user namespaces"),
    ("dra", "dynamic resource allocation"),
    ("vpa", "vertical pod autoscaler", "vertical pod autoscaling"),
    ("hpa", "horizontal pod autoscaler", "horizontal pod autoscaling"),
    ("pleg", "pod lifecycle event generator"),
    ("csi", "container storage interface"),
    ("oom", "out of memory", "oom kill", "oomkill", "oom killer"),
    ("cni", "container network interface"),
    ("cdi", "container device interface"),
    ("e2e", "end to end"),
    ("psp", "pod security policy"),
    ("qos", "quality of service"),
    ("ga", "general availability"),
    ("lts", "long term support"),
    ("numa", "non uniform memory access"),
    ("gpu", "gpus", "graphics processing unit", "accelerator", "accelerators"),
    ("oci", "open container initiative"),
    ("crd", "custom resource definition"),
    ("ippr", "in place pod resize", "in place pod vertical scaling", "inplacepodverticalscaling", "pod resize",
     "in place resize", "in place update", "resize"),
    ("pid", "process id"),
    ("vm", "virtual machine", "vms", "virtual machines"),
    ("ci", "continuous integration"),
    ("ephemeral containers", "ephemeral container", "debug container", "debug containers", "kubectl debug"),
    ("kubelet credential provider", "credential provider", "credential providers", "image pull secrets",
     "imagepullsecrets", "image pull credentials", "registry credentials"),
    ("cpu manager", "cpumanager", "cpu pinning", "exclusive cpus", "static cpu policy", "cpu affinity"),
    ("memory manager", "memorymanager"),
    ("topology manager", "topologymanager", "numa alignment"),
    ("device plugin", "device plugins", "deviceplugin"),
    ("runtime class", "runtimeclass", "runtime classes"),
    ("sidecar", "sidecars", "sidecar containers", "restartable init containers"),
    ("graceful node shutdown", "graceful shutdown", "node shutdown", "shutdown manager"),
    ("checkpoint", "checkpointing", "container checkpoint", "checkpoint restore", "criu",
     "forensic container checkpointing"),
    ("swap", "swap memory", "node swap", "swap support"),
    ("cgroup v2", "cgroupv2", "cgroups v2", "cgroup2", "unified hierarchy"),
    ("cgroup v1", "cgroupv1", "cgroups v1", "legacy cgroups"),
    ("huge pages", "hugepages", "hugepage"),
    ("dockershim", "docker shim", "dockershim removal", "docker deprecation"),
    ("eviction", "evictions", "node pressure eviction", "kubelet eviction"),
    ("node allocatable", "allocatable", "system reserved", "kube reserved"),
    ("seccomp", "seccomp profile", "seccomp default"),
    ("apparmor", "app armor"),
    ("image garbage collection", "image gc", "image garbage collect"),
    ("evented pleg", "event based pleg"),
    ("pod overhead", "podoverhead"),
    ("static pods", "static pod", "mirror pods"),
    ("probes", "liveness probe", "readiness probe", "startup probe", "healthcheck"),
    ("node log query", "log query", "node logs"),
    ("tracing", "opentelemetry", "otel"),
    ("windows", "windows containers", "windows nodes"),
]


def expansions() -> dict[str, list[str]]:
    """form -> the other forms of its concept, for every form of every concept."""
    out: dict[str, list[str]] = {}
    for forms in CONCEPTS:
        for form in forms:
            out.setdefault(form, [])
            out[form] += [f for f in forms if f != form and f not in out[form]]
    return out
