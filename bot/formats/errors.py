"""The one exception the format parsers raise, and a collector that caps how many problems it lists."""

from __future__ import annotations

from bot.errors import ClaimbotError

MAX_LISTED_PROBLEMS = 20


class FormatError(ClaimbotError, ValueError):
    """A file that cannot be imported. `str(error)` is a readable message; `problems` lists each one."""

    def __init__(self, problems: str | list[str]) -> None:
        self.problems = [problems] if isinstance(problems, str) else list(problems)
        super().__init__(_message(self.problems))


def _message(problems: list[str]) -> str:
    if len(problems) == 1:
        return problems[0]
    listed = "\n".join(f"- {problem}" for problem in problems[:MAX_LISTED_PROBLEMS])
    hidden = len(problems) - MAX_LISTED_PROBLEMS
    more = f"\n- ... and {hidden} more" if hidden > 0 else ""
    return f"{len(problems)} problems:\n{listed}{more}"


class Problems:
    """Collects problems while a whole file is checked, so one refusal reports many of them."""

    def __init__(self) -> None:
        self.found: list[str] = []

    def add(self, message: str) -> None:
        self.found.append(message)

    def __bool__(self) -> bool:
        return bool(self.found)

    def raise_if_any(self) -> None:
        if self.found:
            raise FormatError(self.found)
