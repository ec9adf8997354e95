"""Colos and regions: where an object, a replica or a host should live, named as a user would name it.

One table of 24 data-centre codes (IATA airport codes, as Cloudflare names its colos) with their
cities, grouped into 9 regions, each region matching one of Cloudflare's location hints. A place is
given by a colo code, a city or a region (or hint) name, in any case; `normalize_location` turns it
into one `Location`, and a host labelled with a location advertises it as placement labels.
"""

from __future__ import annotations

import difflib
import unicodedata
from dataclasses import dataclass

REGIONS: dict[str, str] = {
    "us-west": "wnam",
    "us-east": "enam",
    "south-america": "sam",
    "eu-west": "weur",
    "eu-central": "eeur",
    "asia-pacific": "apac",
    "oceania": "oc",
    "africa": "afr",
    "middle-east": "me",
}
"""Each region and Cloudflare's location hint for it."""

REGION_NAMES: dict[str, str] = {
    "us-west": "Western North America",
    "us-east": "Eastern North America",
    "south-america": "South America",
    "eu-west": "Western Europe",
    "eu-central": "Central and Eastern Europe",
    "asia-pacific": "Asia-Pacific",
    "oceania": "Oceania",
    "africa": "Africa",
    "middle-east": "Middle East",
}

COLOS: dict[str, tuple[str, str]] = {
    "ewr": ("Newark", "us-east"),
    "iad": ("Washington", "us-east"),
    "atl": ("Atlanta", "us-east"),
    "ord": ("Chicago", "us-east"),
    "dfw": ("Dallas", "us-east"),
    "lax": ("Los Angeles", "us-west"),
    "sfo": ("San Francisco", "us-west"),
    "sea": ("Seattle", "us-west"),
    "gru": ("São Paulo", "south-america"),
    "lhr": ("London", "eu-west"),
    "ams": ("Amsterdam", "eu-west"),
    "cdg": ("Paris", "eu-west"),
    "dub": ("Dublin", "eu-west"),
    "mad": ("Madrid", "eu-west"),
    "fra": ("Frankfurt", "eu-central"),
    "zrh": ("Zurich", "eu-central"),
    "mxp": ("Milan", "eu-central"),
    "vie": ("Vienna", "eu-central"),
    "sin": ("Singapore", "asia-pacific"),
    "hkg": ("Hong Kong", "asia-pacific"),
    "nrt": ("Tokyo", "asia-pacific"),
    "bom": ("Mumbai", "asia-pacific"),
    "syd": ("Sydney", "oceania"),
    "jnb": ("Johannesburg", "africa"),
}
"""Each colo code: its city and its region."""

CITY_ALIASES: dict[str, str] = {"New York": "ewr", "Ashburn": "iad", "Frankfurt am Main": "fra", "Sao Paulo": "gru"}
"""Other names people use for a colo's city."""


class UnknownLocationError(ValueError):
    """A place that is neither a known colo code, a city, a region nor a location hint."""


@dataclass(frozen=True)
class Location:
    """A place: a colo (with its city) inside a region, or a whole region; `hint` is Cloudflare's name."""

    region: str
    hint: str
    colo: str | None = None
    city: str | None = None

    def __post_init__(self) -> None:
        if REGIONS.get(self.region) != self.hint:
            raise UnknownLocationError(
                f"Location(region={self.region!r}, hint={self.hint!r}) is not a region with its hint; "
                "build locations with normalize_location(...)"
            )
        if self.colo is not None and COLOS.get(self.colo, (None, None))[1] != self.region:
            raise UnknownLocationError(
                f"Location(colo={self.colo!r}) is not a colo of region {self.region!r}; "
                "build locations with normalize_location(...)"
            )

    @property
    def labels(self) -> dict[str, str]:
        """Placement labels of a host at this location (`region`, `hint`, and `colo` when known)."""
        labels = {"region": self.region, "hint": self.hint}
        if self.colo is not None:
            labels["colo"] = self.colo
        return labels

    @property
    def placement(self) -> tuple[str, ...]:
        """The placement hint of this place: the label a host must carry (`colo:lhr`, else `region:eu-west`)."""
        return (f"colo:{self.colo}",) if self.colo is not None else (f"region:{self.region}",)

    def contains(self, other: Location) -> bool:
        """Whether `other` lies inside this place (same colo, or any colo of this region)."""
        if self.colo is not None:
            return other.colo == self.colo
        return other.region == self.region

    def __str__(self) -> str:
        if self.colo is not None:
            return f"{self.colo} ({self.city}, {self.region})"
        return self.region


def _fold(text: str) -> str:
    """Case-, accent- and separator-insensitive form of a name ("São Paulo" == "sao-paulo")."""
    decomposed = unicodedata.normalize("NFKD", text.strip().casefold())
    plain = "".join(c for c in decomposed if not unicodedata.combining(c))
    return " ".join(plain.replace("-", " ").replace("_", " ").split())


def _table() -> dict[str, Location]:
    names: dict[str, Location] = {}
    for region, hint in REGIONS.items():
        whole = Location(region=region, hint=hint)
        for name in (region, hint, REGION_NAMES[region]):
            names[_fold(name)] = whole
    for colo, (city, region) in COLOS.items():
        place = Location(region=region, hint=REGIONS[region], colo=colo, city=city)
        names[_fold(colo)] = place
        names[_fold(city)] = place
    for alias, colo in CITY_ALIASES.items():
        names[_fold(alias)] = names[colo]
    return names


_NAMES = _table()


def normalize_location(place: str | Location) -> Location:
    """The `Location` named by a colo code ("nrt"), a city ("Tokyo"), a region ("asia-pacific") or a hint ("apac").

    Case and accents do not matter. An unknown name raises `UnknownLocationError` listing the
    closest known names.
    """
    if isinstance(place, Location):
        return place
    if not isinstance(place, str):
        raise TypeError(f"A location is a colo code, city or region name (str), not {type(place).__name__}")
    found = _NAMES.get(_fold(place))
    if found is not None:
        return found
    spelled = sorted({*COLOS, *(city for city, _ in COLOS.values()), *REGIONS, *REGIONS.values()})
    by_fold = {_fold(name): name for name in spelled}
    close = [by_fold[m] for m in difflib.get_close_matches(_fold(place), list(by_fold), n=4, cutoff=0.5)]
    hint = f"did you mean {', '.join(repr(c) for c in close)}? " if close else ""
    raise UnknownLocationError(
        f"Unknown location {place!r}: {hint}A location is a colo code ({', '.join(sorted(COLOS))}), "
        f"its city, or a region ({', '.join(REGIONS)}) or Cloudflare hint ({', '.join(REGIONS.values())})"
    )
