"""Password hashing with scrypt from the standard library (the engine imports no werkzeug), and the
password policy every new password meets."""
import hashlib
import hmac
import secrets
from functools import lru_cache

from zxcvbn import zxcvbn

_N, _R, _P = 2**14, 8, 1
MIN_LENGTH = 10
MAX_LENGTH = 200
# zxcvbn's guess-count score, 0-4: 3 is "safely unguessable" for an online attack (10^8 guesses and more);
# it rejects common passwords (``password``, ``12345678``), keyboard walks, names and dates.
MIN_SCORE = 3


def hash_password(password: str) -> str:
    salt = secrets.token_bytes(16)
    digest = hashlib.scrypt(password.encode(), salt=salt, n=_N, r=_R, p=_P, dklen=32)
    return f"scrypt${_N}${_R}${_P}${salt.hex()}${digest.hex()}"


def check_password(stored: str, password: str) -> bool:
    try:
        scheme, n, r, p, salt, digest = stored.split("$")
    except ValueError:
        return False
    if scheme != "scrypt":
        return False
    candidate = hashlib.scrypt(password.encode(), salt=bytes.fromhex(salt), n=int(n), r=int(r), p=int(p),
                               dklen=len(digest) // 2)
    return hmac.compare_digest(candidate.hex(), digest)


@lru_cache(maxsize=4)
def _dummy_hash(cost: int) -> str:
    return hash_password(secrets.token_hex(16))


def check_nobody(password: str) -> bool:
    """Spend the time of a real check when there is no account to check against, so a wrong user name
    answers as slowly as a wrong password (no enumeration by timing). Always False."""
    check_password(_dummy_hash(_N), password)
    return False


def password_problem(password: str, username: str = "", display_name: str = "") -> tuple[str, str] | None:
    """Why ``password`` may not be set (Chinese, English), or None."""
    if len(password) < MIN_LENGTH:
        return (f"密码至少 {MIN_LENGTH} 位。", f"A password has at least {MIN_LENGTH} characters.")
    if len(password) > MAX_LENGTH:
        return (f"密码不能超过 {MAX_LENGTH} 位。", f"A password has at most {MAX_LENGTH} characters.")
    if "\x00" in password:
        return ("密码含有无效字符。", "The password contains a character that is not allowed.")
    folded = password.casefold()
    if username and (username.casefold() in folded or folded in username.casefold()):
        return ("密码不能包含用户名。", "A password may not contain the user name.")
    if zxcvbn(password[:100], user_inputs=[x for x in (username, display_name) if x])["score"] < MIN_SCORE:
        return ("密码太容易被猜中（常见密码、键盘序列、姓名或日期），请换一个更长、更少见的密码。",
                "This password is too easy to guess (a common password, a keyboard pattern, a name or a date): "
                "choose a longer, less common one.")
    return None
