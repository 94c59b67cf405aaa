"""Domain errors. The web layer maps them to 403, 404, 409 and 422; the engine knows no HTTP.

Each carries a Chinese message (the users' language) and an English one.
"""


class DomainError(Exception):
    def __init__(self, message: str, message_en: str | None = None):
        super().__init__(message)
        self.message = message
        self.message_en = message_en or message


class PermissionDenied(DomainError):
    """The acting user may not do this (wrong agency, district or role)."""


class NotFound(DomainError):
    """The case, clue or task does not exist, or is not visible to the user."""


class Conflict(DomainError):
    """Someone else changed the case first: reload and try again. Nothing was written."""


class InvalidInput(DomainError):
    """A field is missing or wrong; ``field`` names it."""

    def __init__(self, field: str, message: str, message_en: str | None = None):
        super().__init__(message, message_en)
        self.field = field

    def __str__(self):
        return f"{self.field}: {self.message}"


class NotConfigured(DomainError):
    """The installation lacks a setting this action needs (the web answers 503); nothing was written."""


class RenderFailed(RuntimeError):
    """A document could not be rendered now; the failure is on its job and it will be tried again."""

    def __init__(self, document_id: int, reason: str):
        super().__init__(f"document {document_id}: {reason}")
        self.document_id, self.reason = document_id, reason
