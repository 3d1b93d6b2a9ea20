"""signode in Zoom Team Chat: the webhook receiver, chatbot message cards and the chatbot API client.

The same `/signode` grammar (commands.py) answers here; this package only receives Zoom's events,
renders a `Reply` as a Zoom message card and sends it. Facts about Zoom's platform: ../shared/zoom.md.
"""
