"""AWS tag rules: how many tags a resource takes, and the length and characters of a tag key
and value (IAM's, the strictest service silolake tags). Validation checks the catalog's
``organization.tags`` with these (:mod:`silolake.catalog.limits`).
"""

from __future__ import annotations

import unicodedata

#: Tags AWS allows on one resource (user tags; ``aws:`` tags AWS adds do not count).
#: https://docs.aws.amazon.com/tag-editor/latest/userguide/tagging.html
MAX_TAGS_PER_RESOURCE = 50


TAG_KEY_MAX = 128


TAG_VALUE_MAX = 256


#: Punctuation IAM accepts in tag keys and values besides letters, separators (spaces) and
#: digits: ``[\p{L}\p{Z}\p{N}_.:/=+\-@]*``. IAM is the strictest service silolake tags
#: (every silo stack creates roles, and default tags reach all of them).
#: https://docs.aws.amazon.com/IAM/latest/APIReference/API_Tag.html
TAG_PUNCTUATION = frozenset("_.:/=+-@")


RESERVED_TAG_PREFIX = "aws:"


def _tag_char_ok(ch: str) -> bool:
    return ch in TAG_PUNCTUATION or unicodedata.category(ch)[0] in "LZN"


def tag_problems(text: str, *, key: bool) -> list[tuple[str, str]]:
    r"""Why ``text`` cannot be a tag key (``key=True``) or value under IAM's tag rules, as
    ``(aspect, reason)`` pairs like :meth:`NameRule.problems`; empty if it can.

    Keys: 1-128 characters, not starting with ``aws:`` (any case); values: 0-256 characters;
    both only ``[\p{L}\p{Z}\p{N}_.:/=+\-@]``.
    https://docs.aws.amazon.com/IAM/latest/APIReference/API_Tag.html
    """
    out = []
    low, high = (1, TAG_KEY_MAX) if key else (0, TAG_VALUE_MAX)
    if not low <= len(text) <= high:
        out.append(("length", f"{len(text)} characters, AWS allows {low} to {high}"))
    bad = sorted({ch for ch in text if not _tag_char_ok(ch)})
    if bad:
        shown = ", ".join(repr(ch) for ch in bad[:8])
        out.append(("charset", f"AWS tags allow only letters, digits, spaces and _ . : / = + - @, not {shown}"))
    if key and text.lower().startswith(RESERVED_TAG_PREFIX):
        out.append(("prefix", f"the '{RESERVED_TAG_PREFIX}' prefix is reserved for AWS"))
    return out
