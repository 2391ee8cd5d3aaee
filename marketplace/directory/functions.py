"""The eight functions of a Social Innovation Region (A-H), shipped as versioned reference data
in data/functions.json: names, one-line descriptions and the wording of a gap, in German and
English. Pure: no Flask, no database."""

import json
from dataclasses import dataclass
from functools import cache
from importlib import resources


@dataclass(frozen=True)
class RegionFunction:
    code: str
    name: dict[str, str]
    description: dict[str, str]
    #: How an empty cell of the gaps matrix reads ("kein sozialer Treffpunkt").
    gap: dict[str, str]

    def name_in(self, language: str) -> str:
        return self.name.get(language) or self.name["en"]

    def description_in(self, language: str) -> str:
        return self.description.get(language) or self.description["en"]

    def gap_in(self, language: str) -> str:
        return self.gap.get(language) or self.gap["en"]


@dataclass(frozen=True)
class FunctionCatalogue:
    version: str
    source: str
    functions: tuple[RegionFunction, ...]

    @property
    def codes(self) -> tuple[str, ...]:
        return tuple(f.code for f in self.functions)

    def get(self, code: str) -> RegionFunction | None:
        return next((f for f in self.functions if f.code == code), None)


@cache
def function_catalogue() -> FunctionCatalogue:
    raw = json.loads(resources.files("marketplace.data").joinpath("functions.json").read_text())
    return FunctionCatalogue(
        version=raw["version"],
        source=raw["source"],
        functions=tuple(
            RegionFunction(f["code"], f["name"], f["description"], f["gap"])
            for f in raw["functions"]
        ),
    )


def function_codes() -> tuple[str, ...]:
    return function_catalogue().codes
