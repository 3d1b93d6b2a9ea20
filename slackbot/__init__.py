"""signode: a Slack assistant for a Kubernetes SIG's weekly meeting."""

__version__ = "0.1.0"
