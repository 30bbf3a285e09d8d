"""One adapter per platform: verify a webhook, parse it to InboundMessage, send OutboundMessage.

channels/ knows nothing of Rasa; the gateway's pipeline connects the two.
"""
