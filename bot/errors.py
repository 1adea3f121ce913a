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
