"""The gateway: channels in, conversations stored, the engine or an officer answers."""
