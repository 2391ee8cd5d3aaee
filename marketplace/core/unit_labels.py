"""What the units are called, in the reader's language."""

from flask_babel import lazy_gettext as _l

UNIT_LABELS = {
    "kg": _l("kg"),
    "t": _l("t"),
    "piece": _l("pieces"),
    "m": _l("m"),
    "m2": _l("m²"),
    "m3": _l("m³"),
    "l": _l("litres"),
    "hour": _l("hours"),
    "day": _l("days"),
}
#: Labels for exactly one unit, where the language distinguishes them.
UNIT_LABELS_ONE = {
    "piece": _l("piece"),
    "l": _l("litre"),
    "hour": _l("hour"),
    "day": _l("day"),
}
