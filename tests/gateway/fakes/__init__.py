"""Local stand-ins for the services the gateway talks to (only ever on 127.0.0.1)."""
