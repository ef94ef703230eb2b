"""Dependency-free language detection, good enough to pick the reply language.

Heuristic, in two steps:

1. **Script**: count letters per Unicode block; a non-Latin script covering at least 30% of the
   letters decides (kana -> ``ja``, Hangul -> ``ko``, Han only -> ``zh``, Cyrillic -> ``ru``,
   Arabic -> ``ar``, Hebrew -> ``he``, Devanagari -> ``hi``, Greek -> ``el``, Thai -> ``th``).
2. **Latin stop words**: count tokens found in a short list of very frequent, fairly distinctive
   words per language (``en es fr de pt it nl``); the best language wins if it has at least two hits
   and beats the runner-up.

Anything else is ``und`` (ISO 639 "undetermined"); the model is then told to answer in the question's
own language. It is a routing hint, never a security decision.
"""

from __future__ import annotations

import re
from collections import Counter
from typing import Final

UNDETERMINED: Final = "und"

_SCRIPTS: Final[tuple[tuple[str, tuple[tuple[int, int], ...]], ...]] = (
    ("ja", ((0x3040, 0x30FF),)),  # Hiragana + Katakana
    ("ko", ((0xAC00, 0xD7AF), (0x1100, 0x11FF))),  # Hangul syllables + Jamo
    ("zh", ((0x4E00, 0x9FFF),)),  # CJK unified ideographs (checked after kana)
    ("ru", ((0x0400, 0x04FF),)),
    ("ar", ((0x0600, 0x06FF),)),
    ("he", ((0x0590, 0x05FF),)),
    ("hi", ((0x0900, 0x097F),)),
    ("el", ((0x0370, 0x03FF),)),
    ("th", ((0x0E00, 0x0E7F),)),
)


def _words(text: str) -> frozenset[str]:
    return frozenset(text.split())


_STOP_WORDS: Final[dict[str, frozenset[str]]] = {
    "en": _words("the and is are what how why which with this that you of to in for it be can"),
    "es": _words("el la los las es y que de en por para una cómo qué por qué está son con del"),
    "fr": _words("le la les est et que des une pour dans qui quel quelle comment pourquoi avec du"),
    "de": _words("der die das ist und nicht ein eine wie was warum mit für ich sie zu den"),
    "pt": _words("o a os as é e que de em para uma um como não por que está são com do da"),
    "it": _words("il lo la gli le è e che di per una un come perché non sono con del della"),
    "nl": _words("de het een is en van wat hoe waarom niet met voor dat zijn ik op"),
}
_WORD = re.compile(r"[^\W\d_]+", re.UNICODE)
_SCRIPT_SHARE: Final = 0.3


def _script_language(text: str) -> str | None:
    letters = [ord(ch) for ch in text if ch.isalpha()]
    if not letters:
        return None
    counts: Counter[str] = Counter()
    for code in letters:
        for language, ranges in _SCRIPTS:
            if any(low <= code <= high for low, high in ranges):
                counts[language] += 1
                break
    if counts["ja"]:  # Japanese mixes kana with Han characters
        counts["ja"] += counts.pop("zh", 0)
    if not counts:
        return None
    language, hits = counts.most_common(1)[0]
    return language if hits / len(letters) >= _SCRIPT_SHARE else None


def detect_language(text: str) -> str:
    """Guess the ISO 639-1 language code of ``text``.

    Parameters
    ----------
    text : str
        Any text; only its letters are looked at.

    Returns
    -------
    str
        A two-letter code, or ``"und"`` when the heuristic is not sure.

    Examples
    --------
    >>> detect_language("What is the capital of France?")
    'en'
    >>> detect_language("¿Cuál es la capital de Francia y por qué?")
    'es'
    >>> detect_language("東京はどこですか")
    'ja'
    >>> detect_language("12345")
    'und'
    """
    by_script = _script_language(text)
    if by_script is not None:
        return by_script
    words = [word.lower() for word in _WORD.findall(text)]
    scores = Counter({language: sum(word in stop for word in words) for language, stop in _STOP_WORDS.items()})
    ranked = scores.most_common(2)
    best_language, best = ranked[0]
    runner_up = ranked[1][1] if len(ranked) > 1 else 0
    if best >= 2 and best > runner_up:
        return best_language
    return UNDETERMINED
