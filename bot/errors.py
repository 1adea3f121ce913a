"""Expected errors: each carries a message that is safe to show to the person who caused it."""


class ClaimbotError(Exception):
    """An error the user can act on. `str(error)` is the message to show."""


class InvalidClaim(ClaimbotError):
    pass


class ClaimNotFound(ClaimbotError):
    def __init__(self, claim_id: str) -> None:
        super().__init__(f"No claim with id `{claim_id}`.")
        self.claim_id = claim_id


class ClaimExists(ClaimbotError):
    def __init__(self, claim_id: str) -> None:
        super().__init__(f"A claim with id `{claim_id}` already exists.")
        self.claim_id = claim_id


class NotAllowed(ClaimbotError):
    pass


class StoreUnavailable(ClaimbotError):
    """The database could not be reached, even after retrying. Nothing was changed."""

    def __init__(self, message: str | None = None) -> None:
        super().__init__(
            message or "The claim store is unavailable; your change was not saved. Try again shortly."
        )
