"""Rasa 3 graph components that make the NLU pipeline Vietnamese-aware (see docs/nlu.md)."""
