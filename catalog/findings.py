"""A finding: one problem found in a dataset, rendered in the reader's language.

Findings keep the English msgid and its parameters, not a rendered sentence, so
one validation can be shown in Spanish on the command line and in English in the
build report without running again.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field

from catalog.i18n import translate

# The keys of the JSON report, fixed by the contract in PRODUCT.md.
JSON_KEYS = ("type", "dataset", "resource", "rowNumber", "fieldName", "message")


@dataclass
class Finding:
    """One problem (``blocking``) or one notice (e.g. allowed public personal data)."""

    type: str
    dataset: str | None = None
    resource: str | None = None
    rowNumber: int | None = None  # noqa: N815 - the contract's spelling
    fieldName: str | None = None  # noqa: N815
    text: str = ""  # English msgid with {placeholders}: what is wrong
    hint: str = ""  # English msgid with {placeholders}: how to fix it
    params: dict[str, object] = field(default_factory=dict)
    value: str | None = None  # the offending value as it may be shown (masked if personal)
    file: str | None = None  # path of the file, relative to the content root
    blocking: bool = True

    def what(self, lang: str | None = None) -> str:
        return translate(self.text, lang, **self.params)

    def fix(self, lang: str | None = None) -> str:
        return translate(self.hint, lang, **self.params) if self.hint else ""

    def message(self, lang: str | None = None) -> str:
        """What is wrong, then how to fix it, in one sentence pair."""
        fix = self.fix(lang)
        return f"{self.what(lang)} {fix}".strip()

    def to_json(self, lang: str | None = None) -> dict[str, object]:
        """The contract's six keys, the message rendered in ``lang``."""
        data: dict[str, object] = {key: getattr(self, key) for key in JSON_KEYS if key != "message"}
        data["message"] = self.message(lang)
        return data

    def to_dict(self) -> dict[str, object]:
        """Everything, untranslated, for storing in the build state."""
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict[str, object]) -> Finding:
        return cls(**data)  # type: ignore[arg-type]
