"""User names as the system compares them: NFKC-normalised and case-folded, so ``Police``, ``POLICE`` and
the full-width ``ＰＯＬＩＣＥ`` are one name (what a login form receives is normalised the same way)."""
import unicodedata

# letters and digits of any script, and these joiners; no spaces, no invisible or control characters
ALLOWED_PUNCTUATION = "._-@"


def normalise(username: str | None) -> str:
    return unicodedata.normalize("NFKC", username or "").casefold().strip()


def problem(name: str) -> str | None:
    """Why a normalised name cannot be an account's name, or None."""
    if not name:
        return "empty"
    if not all(ch.isalnum() or ch in ALLOWED_PUNCTUATION for ch in name):
        return "characters"
    return None
