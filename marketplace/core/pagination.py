"""Page arguments shared by the web views and the API."""

from dataclasses import dataclass

MAX_PER_PAGE = 100


@dataclass(frozen=True)
class PageRequest:
    page: int = 1
    per_page: int = 20

    @classmethod
    def from_args(cls, args, default_per_page: int = 20) -> "PageRequest":
        """Lenient parsing for web pages: nonsense falls back to the defaults."""
        return cls(
            page=_int(args.get("page"), 1, 1, 100_000),
            per_page=_int(args.get("per_page"), default_per_page, 1, MAX_PER_PAGE),
        )

    @property
    def offset(self) -> int:
        return (self.page - 1) * self.per_page


@dataclass(frozen=True)
class Page:
    items: list
    total: int
    page: int
    per_page: int

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.per_page))

    @property
    def has_prev(self) -> bool:
        return self.page > 1

    @property
    def has_next(self) -> bool:
        return self.page < self.pages


def _int(value, default: int, lo: int, hi: int) -> int:
    try:
        number = int(value)
    except (TypeError, ValueError):
        return default
    return min(max(number, lo), hi)
