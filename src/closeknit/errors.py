"""CloseknitError and its user-facing subclasses; each prints as one line."""


class CloseknitError(Exception):
    """An error the user can act on; its message is one line without contact data."""

    exit_code = 1


class InputError(CloseknitError):
    """A file or argument that cannot be used (wrong format, missing, unreadable)."""

    exit_code = 2


class NotFoundError(CloseknitError):
    """A person or record that the user named does not exist."""

    exit_code = 3
