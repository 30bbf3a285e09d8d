"""Remove personal data from a question before it is stored for content editors (pure).

People paste phone numbers, ID card numbers, emails and case numbers into their questions; the
editors only need the wording. Every masked span becomes a fixed placeholder.
"""
from __future__ import annotations

import re

EMAIL = "[email]"
PHONE = "[số điện thoại]"
NUMBER = "[số]"

_EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+", re.UNICODE)
# Vietnamese phone numbers (mobile 0 + 9 digits, landline 0 + 10; or +84 instead of 0), with optional
# spaces, dots or dashes. A 9-digit old ID card number is left to the digit-run rule.
_PHONE = re.compile(r"(?<![\w])(?:\+?84|0)(?:[\s.-]?\d){9,10}(?![\w])")
# ID card (9 or 12 digits), passport-like codes (a letter + 7-8 digits), any other run of 5+ digits.
_ID_CODE = re.compile(r"(?<![\w])[A-Za-z]\d{7,8}(?![\w])")
_LONG_DIGITS = re.compile(r"\d(?:[\s.-]?\d){4,}")


def scrub(text: str) -> str:
    """The text with emails, phone numbers, ID numbers and long digit runs masked."""
    text = _EMAIL.sub(EMAIL, text)
    text = _PHONE.sub(PHONE, text)
    text = _ID_CODE.sub(NUMBER, text)
    return _LONG_DIGITS.sub(NUMBER, text)
