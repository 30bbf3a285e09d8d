"""The web chat: its JSON API (/api/v1/chat), the page at / and the embeddable /widget.js."""
