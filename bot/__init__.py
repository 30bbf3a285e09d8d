"""The engine's own code: Vietnamese-aware Rasa components and the topic taxonomy."""
