"""`python -m slackbot` runs the CLI."""

from slackbot.cli import main

main()
