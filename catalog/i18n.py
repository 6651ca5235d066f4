"""Translations: Spanish by default, English second.

Source strings (msgids) are English, as gettext expects. Each concern keeps its
own ``.po`` file under ``catalog/locale/<lang>/LC_MESSAGES/`` (``validate.po``,
``privacy.po``, ...); all of a language's files are merged into one catalogue,
read straight from the ``.po`` files so there is no compile step to forget.
"""

from __future__ import annotations

import os
from functools import cache
from pathlib import Path

from babel.messages.pofile import read_po

LANGUAGES = ("es", "en")
DEFAULT_LANG = "es"
LOCALE_DIR = Path(__file__).parent / "locale"


def _preferred(value: str | None) -> str | None:
    """The supported language ``value`` rates highest, or None when it names none.

    ``value`` is one tag (``en``, ``en-GB``), a POSIX locale (``en_GB.UTF-8``) or an
    ``Accept-Language`` list with q-values (``fr;q=1, en;q=0.8, es;q=0.5`` is English);
    ``q=0`` means "not this one", and of equal ratings the first listed wins.
    """
    best, best_q = None, 0.0
    for part in (value or "").split(","):
        tag, *params = part.split(";")
        code = tag.strip().lower().replace("_", "-").split("-")[0].split(".")[0]
        q = 1.0
        for param in params:
            key, _sep, number = param.partition("=")
            if key.strip().lower() == "q":
                try:
                    q = float(number)
                except ValueError:
                    q = 0.0  # a malformed weight counts for nothing, as a wrong one would
        if code in LANGUAGES and q > best_q:
            best, best_q = code, q
    return best


def normalize_lang(lang: str | None) -> str:
    """Map ``--lang``, a POSIX locale or an ``Accept-Language`` value to ``es``/``en``."""
    return _preferred(lang) or DEFAULT_LANG


def request_lang(
    asked: str | None = None, cookie: str | None = None, accept: str | None = None
) -> str:
    """The language of a request, the one rule for every page, API and error:
    ``asked`` (an explicit ``?lang=``) wins, then ``cookie`` (a choice remembered from an
    earlier ``?lang=``), then the browser's ``Accept-Language`` (``accept``, by q-value);
    Spanish when none of them names a language the portal speaks."""
    for value in (asked, cookie, accept):
        found = _preferred(value)
        if found:
            return found
    return DEFAULT_LANG


def lang_from_env() -> str:
    """The language the locale asks for (``LANGUAGE``, ``LC_ALL``, ``LC_MESSAGES``, ``LANG``)."""
    for var in ("LANGUAGE", "LC_ALL", "LC_MESSAGES", "LANG"):
        value = os.environ.get(var, "")
        if value and value not in ("C", "POSIX", "C.UTF-8"):
            return normalize_lang(value.split(":")[0])
    return DEFAULT_LANG


@cache
def _catalogue(lang: str) -> dict[str, str]:
    messages: dict[str, str] = {}
    folder = LOCALE_DIR / lang / "LC_MESSAGES"
    for po in sorted(folder.glob("*.po")):
        with po.open("rb") as fh:
            for message in read_po(fh, locale=lang):
                if message.id and message.string and not message.fuzzy:
                    messages[str(message.id)] = str(message.string)
    return messages


def gettext(message: str, lang: str | None = None) -> str:
    """Translate an English msgid into ``lang`` (default Spanish); unknown text passes."""
    lang = normalize_lang(lang)
    if lang == "en":
        return message
    return _catalogue(lang).get(message, message)


def translate(msgid: str, lang: str | None = None, /, **params: object) -> str:
    """Translate then fill ``{placeholders}``; a missing placeholder never raises."""
    text = gettext(msgid, lang)
    if not params:
        return text
    try:
        return text.format(**params)
    except (KeyError, IndexError, ValueError):
        return text


def ntranslate(
    singular: str, plural: str, count: int, lang: str | None = None, /, **params: object
) -> str:
    """``translate`` for a message with a count: Spanish and English both use the
    singular for exactly one and the plural otherwise. ``count`` is also a placeholder."""
    return translate(singular if count == 1 else plural, lang, count=count, **params)


def _(message: str) -> str:
    """Mark a string for extraction without translating it now (translated when rendered)."""
    return message


def compile_catalogues() -> list[Path]:
    """Write a ``.mo`` beside each ``.po``: only third-party code that reads gettext's
    own catalogues needs them (click's usage errors, domain ``messages``)."""
    from babel.messages.mofile import write_mo

    written = []
    for po in sorted(LOCALE_DIR.glob("*/LC_MESSAGES/*.po")):
        mo = po.with_suffix(".mo")
        if mo.exists() and mo.stat().st_mtime >= po.stat().st_mtime:
            continue
        with po.open("rb") as fh:
            catalogue = read_po(fh, locale=po.parent.parent.name)
        with mo.open("wb") as fh:
            write_mo(fh, catalogue)
        written.append(mo)
    return written


def use_for_third_party(lang: str) -> None:
    """Make libraries that call the stdlib ``gettext`` (click) speak ``lang``."""
    import gettext as stdlib_gettext

    os.environ["LANGUAGE"] = normalize_lang(lang)
    stdlib_gettext.bindtextdomain("messages", str(LOCALE_DIR))


if __name__ == "__main__":
    for path in compile_catalogues():
        print(path)
