"""Custom actions (rasa-sdk): answers from the knowledge base with sources, feedback, fallback, handoff, crisis."""
