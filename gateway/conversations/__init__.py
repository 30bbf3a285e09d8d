"""Contacts, identities, conversations, messages and the inbound pipeline."""
