"""Text normalisation: from a raw Discord message or a claim text to comparable tokens.

The pipeline is the same for claims and messages, so both sides meet in one vocabulary:
clean (Unicode, Discord markup, URLs) -> canonical numbers -> word tokens -> stems.
"""

from __future__ import annotations

import functools
import re
import unicodedata
from collections.abc import Callable

import snowballstemmer

# Bounds that keep hostile input cheap: a Discord message is at most 4000 characters.
MAX_CHARS = 4000
MAX_CLAUSES = 12
MAX_CLAUSE_TOKENS = 80

POSSESSIVE = "'s"  # kept as a marker token so the guards can tell "Russia's region" from "Russia"
NEGATION = "not"

_CODE_BLOCK = re.compile(r"```.*?(?:```|$)", re.S)
_INLINE_CODE = re.compile(r"`+([^`]*)`+")
_DISCORD_TOKEN = re.compile(r"<(?:@[!&]?\d+|#\d+|a?:\w+:\d+|t:-?\d+(?::\w)?|/[^<>:]{1,64}:\d+|id:\w+)>")
_URL = re.compile(r"(?:https?://|www\.)\S+|\b[\w.-]+\.(?:com|org|net|gov|co|io|ru|ua)/\S*", re.I)
_MASKED_LINK = re.compile(r"\[([^\]]{0,300})\]\([^)]{0,2000}\)")
# A lookahead for the first character, as in several patterns below, lets the regex engine skip
# to where a match can start instead of trying the lookbehind at every position.
_HASHTAG = re.compile(r"(?=#)(?<![\w#])#([^\W_][\w]{0,60})")
_CAMEL = re.compile(r"(?<=[a-z])(?=[A-Z])|(?<=[A-Za-z])(?=[0-9])")
_HANDLE = re.compile(r"(?=@)(?<![\w@])@(\w+)")
_EMOJI_SHORTCODE = re.compile(r"(?=:)(?<!\w):[a-z0-9_+-]{2,32}:(?!\w)", re.I)
_MARKDOWN = re.compile(r"\|\||\*+|~~|__|^\s*-#\s|^\s*#{1,3}\s|^\s*>{1,3}\s?", re.M)
# Format and control characters: zero-width spaces and joiners, bidi overrides, soft hyphens.
_INVISIBLE = re.compile(
    "[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f-\u009f\u00ad\u034f\u061c\u115f\u1160\u17b4\u17b5"
    "\u180b-\u180f\u200b-\u200f\u202a-\u202e\u2060-\u206f\u3164\ufe00-\ufe0f\ufeff\uffa0\ufff0-\ufffb]"
)
_COMBINING = re.compile("[\u0300-\u036f\u0483-\u0489\u1ab0-\u1aff\u1dc0-\u1dff\u20d0-\u20ff\ufe20-\ufe2f]")
_APOSTROPHES = re.compile("[\u2019\u2018\u02bc`\u00b4]")  # a regex replaces faster than str.translate
_US = re.compile(r"\bU\.S\.(?:A\.)?|\bUSA?\b")  # "US" the country, before case folding makes it "us"
_ACRONYM_DOTS = re.compile(r"\b(?:[a-z]\.){2,}(?=\W|$)")
_ACRONYM_HINT = re.compile(r"\.[a-z]\.")  # in every acronym, and found fast (a literal first)
# "didn't", "didnt", "can't": the verb and a separate "not" (apostrophes are often skipped in chat)
_NOT_CONTRACTION = re.compile(
    r"(?=[cwadihsmn])\b(ca|wo|ai|do|does|did|is|are|was|were|has|have|had|should|would|could|must|need)n'?t\b"
)
_NOT_STEMS = {"ca": "can", "wo": "will", "ai": "is"}
# ("mid-September" stays two words: the month must stay a month)
_PREFIX_HYPHEN = re.compile(
    r"\b(co|non|anti|pre|post|re|counter|semi|multi|mid|inter)-(?=[a-z])"
    r"(?!(?:jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)[a-z]*\b)"
)
_POSSESSIVE = re.compile(r"'s(?<=\w's)\b")  # the literal first: searched fast
# "Russia's going to ...", "Kim's been ...": "is" / "has", not whose
_VERB_S = re.compile(
    r"'s(?<=\w's)(?=\s+(?:going|gonna|been|about|not|never|still|just|already|also|now|got|"
    r"actually|really|rly|literally|basically|definitely|probably|totally|seriously|officially|finally|"
    r"apparently|reportedly|supposedly|allegedly|lowkey|\w{3,}ing\b(?!\s+of\b))\b)"
)
# (?=\d) first: the regex engine then skips to digits instead of trying every position
_ORDINAL = re.compile(r"(?=\d)\b(\d+)(?:st|nd|rd|th)\b")
_NUMBER = re.compile(
    r"(?=\d)(?<![\w.,])"
    r"(?P<int>\d{1,3}(?P<sep>[,. '])\d{3}(?:(?P=sep)\d{3})*(?![\d])|\d+)"
    r"(?P<dec>\.\d+)?"
    r"(?:\s?(?P<word>thousand|million|billion|mn|bn)\b|(?P<letter>[kmb])\b)?"
)
_MULTIPLIERS = {
    "k": 1e3, "thousand": 1e3, "m": 1e6, "million": 1e6, "mn": 1e6, "b": 1e9, "billion": 1e9, "bn": 1e9
}
# A full stop after a lone letter is an abbreviation ("N. Korea", "S. Korea"), not a sentence end.
# (a colon opens what is said, unless a figure follows it: "killed by May 1: 12,430"; a dash between
# two figures is a range: "8 - 14" after the figures were spaced out)
_SENTENCE_END = re.compile(
    r"(?=[!?;.\s])(?:[!?;]|(?<!\b[a-z])\.)[.!?;]*(?=\s|$)|\n+|:(?=\s+[^\d\s])"
    r"|(?<![\d\s])\s+[-\u2013\u2014]+\s+|\s+[-\u2013\u2014]+\s+(?![\d\s])"
)
_WORD = re.compile(r"\d+\.\d+|'s\b|[^\W_]+")

_UNITS = {
    "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8, "nine": 9,
    "ten": 10, "eleven": 11, "twelve": 12, "thirteen": 13, "fourteen": 14, "fifteen": 15, "sixteen": 16,
    "seventeen": 17, "eighteen": 18, "nineteen": 19, "twenty": 20, "thirty": 30, "forty": 40, "fifty": 50,
    "sixty": 60, "seventy": 70, "eighty": 80, "ninety": 90,
}
_SCALES = {"dozen": 12, "hundred": 100, "thousand": 1_000, "million": 1_000_000, "billion": 1_000_000_000}
# "one" and "a" count only before a scale word ("one hundred", "a thousand"); alone they are pronouns.
_WEAK_UNITS = {"one": 1, "a": 1}



def _wordset(text: str) -> frozenset[str]:
    return frozenset(text.split())



STOPWORDS = _wordset(
    """
    a about above after again all also am an and any are aren as at be because been before being below
    between both but by can could d did do does doing down during each few for from further had has have
    having he her here hers herself him himself his how i if in into is it its itself just ll m me more most
    my myself now o of off on once only or other our ours ourselves out over own re s same she should so
    some such t than that the their theirs them themselves then there these they this those through to too
    under until up very was we were what when where which while who whom why will with would y you your
    yours yourself yourselves 's
    let lets get got gets go goes going gone say says said saying tell told per via like
    rn tbh imo imho idk lol lmao lmfao rofl omg wtf smh ngl fr btw bro bruh dude guys hey hi hello yo
    yeah yep yes ok okay pls please thanks thank ty u ur r im ive
    really actually apparently reportedly allegedly supposedly literally basically seriously
    around approximately roughly nearly almost estimated estimate circa approx some
    heard hear anyone anybody someone everyone thing things stuff news right well even still already
    according accordingly report reports reported claim claims claimed claiming think thinks believe believes
    """
)
NEGATIONS = _wordset("not no never neither nor none nobody nothing nowhere without")
# Negation words are not stopwords: they are kept in the token stream for the negation guard,
# but they are not indexed as content.
COMMA = ","
NON_CONTENT = STOPWORDS | NEGATIONS | {COMMA}

# Irregular forms the stemmer cannot join to their base ("sent" / "send", "lost" / "lose"), plus a few
# nouns that name the same event as a verb ("losses" / "lost", "deaths" / "died").
_IRREGULAR = {
    form: base
    for base, forms in {
        "send": "sent", "lose": "lost loss losses", "die": "dead death deaths", "fight": "fought",
        "give": "gave given", "take": "took taken", "make": "made", "hold": "held", "meet": "met",
        "pay": "paid", "sell": "sold", "buy": "bought", "bring": "brought", "win": "won",
        "begin": "began begun",
        "shoot": "shot", "lead": "led", "spend": "spent", "build": "built", "fall": "fell fallen",
        "steal": "stole stolen", "see": "saw seen", "come": "came", "know": "knew known",
        "write": "wrote written", "throw": "threw thrown", "strike": "struck", "fly": "flew flown",
        "drive": "drove driven", "break": "broke broken", "choose": "chose chosen", "hide": "hid hidden",
        "run": "ran", "rise": "risen", "grow": "grew grown", "catch": "caught", "teach": "taught",
        "think": "thought", "find": "found", "feel": "felt", "keep": "kept", "mean": "meant", "lend": "lent",
        "deal": "dealt", "flee": "fled", "stand": "stood", "seek": "sought", "lay": "laid",
        "sink": "sank sunk", "wear": "wore worn", "forbid": "forbade forbidden",
        # chat spellings of the small words the guards read ("flew drones ovr pyongyang")
        "over": "ovr", "from": "frm", "with": "w wit", "through": "thru", "are": "r", "about": "abt",
        "capital": "capitol",  # chat writes the building for the city more often than it means it
        # month abbreviations: "oct 3" is "october 3"
        "january": "jan", "february": "feb", "march": "mar", "april": "apr", "june": "jun", "july": "jul",
        "august": "aug", "september": "sep sept", "october": "oct", "november": "nov", "december": "dec",
    }.items()
    for form in forms.split()
}
# verb forms whose stem is a noun of another meaning: "shipped his army" is not about ships
_VERB_NOT_NOUN = frozenset(("shipped", "shipping"))
_IRREGULAR["zero"] = "no"  # "zero proof" denies as "no proof" does (as a figure, people write 0)
_stemmer = snowballstemmer.stemmer("english")
_stem_cache: dict[str, str] = {}
_STEM_CACHE_MAX = 200_000


def stem(word: str) -> str:
    """Snowball English stem, memoised (stemming dominates tokenising time otherwise)."""
    cached = _stem_cache.get(word)
    if cached is not None:
        return cached
    keep = word[0].isdigit() or word in NON_CONTENT or len(word) > 40 or word in _VERB_NOT_NOUN
    result = word if keep else _stemmer.stemWord(_IRREGULAR.get(word, word))
    if len(_stem_cache) >= _STEM_CACHE_MAX:
        _stem_cache.clear()  # bounded: a flood of junk words must not grow memory without limit
    _stem_cache[word] = result
    return result


# Month names as stems ("october" -> "octob"); "may" is left out, it is far more often the verb.
MONTHS = frozenset(
    map(
        stem,
        _wordset(
            "january february march april june july august september october november december "
            "jan feb mar apr jun jul aug sep sept oct nov dec"
        ),
    )
)


def clean(text: str) -> str:
    """Strip Discord markup, URLs and invisible characters; fold case, width, fancy fonts and accents."""
    text = text[:MAX_CHARS]
    # Each pass runs only when its trigger character is present: most texts are plain.
    if "`" in text:
        text = _INLINE_CODE.sub(r" \1 ", _CODE_BLOCK.sub(" ", text))
    if "<" in text:
        text = _DISCORD_TOKEN.sub(" ", text)
    if "](" in text:
        text = _MASKED_LINK.sub(r" \1 ", text)
    if "/" in text or "www." in text:
        text = _URL.sub(" ", text)
    if not text.isascii():
        text = _INVISIBLE.sub("", text)
        # NFKC folds full-width and mathematical "fancy font" letters to plain ones.
        text = unicodedata.normalize("NFKC", text)
        text = _APOSTROPHES.sub("'", text)
        if not text.isascii():  # most accents are gone already
            text = _COMBINING.sub("", unicodedata.normalize("NFKD", text))
    elif not text.isprintable():
        text = _INVISIBLE.sub("", text)
    if "#" in text:  # "#FakeNews" -> "Fake News"
        text = _HASHTAG.sub(lambda m: _CAMEL.sub(" ", m.group(1)), text)
    if "US" in text or "U.S" in text:
        text = _US.sub(" usa ", text)
    if "@" in text:  # "@JoeBiden" typed as text names someone: "Joe Biden"
        text = _HANDLE.sub(lambda m: f" {_CAMEL.sub(' ', m.group(1).replace('_', ' '))} ", text)
    if ":" in text:
        text = _EMOJI_SHORTCODE.sub(" ", text)
    if any(c in text for c in _MARKUP_CHARS):
        text = _MARKDOWN.sub(" ", text)
    text = text.casefold()
    if "." in text and _ACRONYM_HINT.search(text):
        text = _ACRONYM_DOTS.sub(lambda m: m.group(0).replace(".", ""), text)
    if "nt" in text or "n't" in text:
        text = _NOT_CONTRACTION.sub(lambda m: f"{_NOT_STEMS.get(m.group(1), m.group(1))} not", text)
    if "'" in text:
        text = _POSSESSIVE.sub(" 's", _VERB_S.sub(" is", text))
    if "-" in text:  # "co-belligerent" and "cobelligerent" are one word
        text = _PREFIX_HYPHEN.sub(r"\1", text)
    if "military" in text:  # "sent its military to Russia": the forces, where no noun follows
        text = _MILITARY_NOUN.sub("troops", text)
    if "cannot" in text:
        text = text.replace("cannot", "can not")
    # "not mixed in with Russian units" says whom they are kept apart from: no denial, no other actor
    if "not " in text or "never " in text:
        text = _NOT_MIXED.sub(" ", text)
    if "casualt" in text:  # casualties are the killed and the wounded, which is how claims count them
        text = _CASUALTIES.sub("killed and wounded", text)
    if "finger at" in text:  # pointing the finger at someone for something blames them for it
        text = _FINGER_AT.sub("blaming", text)
    if "fair game" in text:  # a target with no limits on hitting it
        text = text.replace("fair game", "with no limits")
    if " that" in text:  # "it's false that X" denies X as "it is not true that X" does
        text = _DENIED_THAT.sub(" it is not true that ", text)
    # one phrase for a trade, whose two sides the guards compare: "in exchange", "as payment for"
    if "in exchange" in text or "payment for" in text:
        text = _IN_RETURN.sub("in return", text)
    if "%" in text or "per cent" in text:
        text = text.replace("%", " percent ").replace("per cent", "percent")
    if any(c in text for c in _DIGITS):
        if _DATE_OR_TIME_HINT.search(text):  # most figures are neither: skip the two slower passes
            text = _TIME_OF_DAY.sub(" ", _DAY_MONTH.sub(_day_month_repl, _NUMERIC_DATE.sub(_date_repl, text)))
        text = _NUMBER.sub(_number_repl, _ORDINAL.sub(r"\1", text))
    return text


_NOT_MIXED = re.compile(
    r"\b(?:not|never)\s+(?:just\s+)?(?:be\s+|being\s+|been\s+|getting\s+)?"
    r"(?:mixed|blended|folded|merged|integrated|embedded|absorbed|lumped|sprinkled|mixing|blending)"
    r"(?:\s+in)?\s+(?:with|into|in|among|w)\b[^,.;:!?]*"
)
_CASUALTIES = re.compile(r"\bcasualt(?:y|ies)\b")
_IN_RETURN = re.compile(r"\bin exchange\b|\b(?:as|in) (?:a )?payment(?= for\b)")
_FINGER_AT = re.compile(r"\bpoint(?:s|ed|ing)? (?:the|a|its|their) fingers? at\b")


# "3.10.2024", "3-10-2024", "2024-10-03" and, where the day is above 12, "10/31/2024": a day, a
# month and a year, not the figures 3.1 and 2024. An ambiguous "3/10/2024" is left as it is.
_NUMERIC_DATE = re.compile(
    r"\b(?:(\d{1,2})([./-])(\d{1,2})\2((?:19|20)\d\d)|((?:19|20)\d\d)-(\d{1,2})-(\d{1,2}))\b"
)
_DATE_OR_TIME_HINT = re.compile(r"\d[./:-]\d|\d ?[ap]m\b")
# "2am", "at 2:30 pm", "14:00": when in the day, never a figure a claim counts
_TIME_OF_DAY = re.compile(r"\b\d{1,2}(?::\d\d)?\s?(?:am|pm)\b|\b\d{1,2}:\d\d\b")
_MONTH_NAMES = (
    "january", "february", "march", "april", "may", "june",
    "july", "august", "september", "october", "november", "december",
)


def _date_repl(match: re.Match[str]) -> str:
    first, separator, second, year, iso_year, iso_month, iso_day = match.groups()
    if iso_year:
        day, month, year = int(iso_day), int(iso_month), iso_year
    elif separator == "/":
        day, month = sorted((int(first), int(second)), reverse=True)  # the day is the one above 12
        if day <= 12 and day != month:  # "3/10/2024": 3 October or March 10, so only the year is sure
            return f" {year} "
    else:
        day, month = int(first), int(second)
    if not (1 <= month <= 12 and 1 <= day <= 31):
        return match.group(0)
    return f" {day} {_MONTH_NAMES[month - 1]} {year} "


# "on 10/3", "by 1.10", "03.10": a day and a month without the year, after a word that says when or
# written with a leading zero
_DAY_MONTH = re.compile(r"\b(?:(on|by|since|until|till|from|of)\s+)?(\d{1,2})[./](\d{1,2})\b(?![./]\d)")


def _day_month_repl(match: re.Match[str]) -> str:
    when, first_text, second_text = match.groups()
    if when is None and not (first_text.startswith("0") or second_text.startswith("0")):
        return match.group(0)
    first, second = int(first_text), int(second_text)
    day, month = max(first, second), min(first, second)
    if not 1 <= month <= 12 or day > 31:
        return match.group(0)
    when = f"{when} " if when else " "
    if day <= 12:  # "10/3": October 3 or 10 March, so no figures either way
        return when
    return f"{when}{day} {_MONTH_NAMES[month - 1]}"


_MILITARY_NOUN = re.compile(
    r"\bmilitary\b(?=\s*(?:$|[.,!?;:)]|\s(?:to|is|are|was|were|has|have|had|in|into|on|at|of|for|and|or|now|"
    r"will|would|could|can|being|been|be|there|here|inside|within)\b))"
)
_DENIED_THAT = re.compile(
    r"\b(?:it is|it 's|its|it was)\s+(?:false|fake|untrue|a lie|a myth|a hoax|nonsense|bs)\s+that\b"
)
_MARKUP_CHARS = "*~_|#>"
_DIGITS = "0123456789"


def format_number(value: float) -> str:
    if abs(value) < 1e15 and value == int(value):  # abs first: a 400-digit figure is inf
        return str(int(value))
    return f"{value:.3f}".rstrip("0").rstrip(".")


def _number_repl(match: re.Match[str]) -> str:
    digits, sep, decimals, word, letter = match.groups()
    plain = not (sep or decimals or word or letter) and digits.isascii() and digits[0] != "0"
    if plain and len(digits) < 16:
        return f" {digits} "  # what format_number(float(digits)) gives, sooner
    if sep:
        digits = digits.replace(sep, "")
    value = float(digits + (decimals or ""))
    multiplier = word or letter
    if multiplier:
        value *= _MULTIPLIERS[multiplier]
    return f" {format_count(value)} " if sep or multiplier else f" {format_number(value)} "


def format_count(value: float) -> str:
    """A figure written as a count ("2,000", "2k", "two thousand"), never to be read as a year."""
    text = format_number(value)
    return f"{text}.0" if len(text) == 4 and 1900 <= value <= 2100 else text


def split_clauses(cleaned: str) -> list[str]:
    """Sentences and dash-separated clauses, at most MAX_CLAUSES (the rest is dropped)."""
    parts = [p.strip() for p in _SENTENCE_END.split(cleaned) if p and not p.isspace()]
    return parts[:MAX_CLAUSES]


# ", and" / ", but" joining two clauses: a claim that says two things ("North Korean forces are
# co-belligerents ..., and the US sets no limits ...") is restated by a message that says one of them.
_COORDINATED = re.compile(r",\s+(?:and|but)\s+", re.IGNORECASE)
_MIN_PART_CONTENT = 3


def coordinated_parts(text: str) -> list[str]:
    """The clauses of a compound sentence that say something on their own (none for a simple one).
    A later clause that points back ("... against them") gets the first clause's subject in place of
    the pronoun, or is left out when that subject is not found."""
    parts = _COORDINATED.split(text)
    if len(parts) < 2:
        return []
    kept = []
    for i, part in enumerate(parts):
        if i and _POINTING_BACK.search(part):
            found = _SUBJECT.match(parts[0])
            if found is None:
                continue
            subject = found.group(1)
            part = _POINTING_BACK.sub(lambda m, s=subject: s + ("'s" if m.group(1) else ""), part)
        if sum(1 for w in words(clean(part)) if w not in NON_CONTENT) >= _MIN_PART_CONTENT:
            kept.append(part.strip())
    return kept


_POINTING_BACK = re.compile(r"\b(?:the(ir)s?|them(?:selves)?|they)\b", re.IGNORECASE)
# the words before the first auxiliary verb: "North Korean forces are ..." -> "North Korean forces"
_SUBJECT = re.compile(
    r"\s*((?:\S+\s+){0,3}?\S+)\s+(?:are|is|was|were|has|have|had|will|would|could|can|might|must)\b",
    re.IGNORECASE,
)


# ", says X" / ", X says" closing a sentence names who said it, not what was said.
_TRAILING_SPEAKER = re.compile(
    r",\s*((?:says|say|said|claims|claim|claimed|reports|report|reported)\s+[^.!?]{1,60}?"
    r"|[^,]{1,40}?\s+(?:says|say|said|claims|claim|claimed|reports|reported|thinks|think|reckons)(?:\s+so)?)"
    r"\s*[.!?]*$"
)


# "according to X, ..." / "per X, ..." opening a sentence names who said it, too.
# a few words name a speaker; more before the comma are what was said ("according to the Pentagon the
# North Korean units are co-belligerents, meaning ...")
_LEADING_SPEAKER = re.compile(r"^\s*((?:according to|per)(?:\s+[^\s,.!?]+){1,6}),\s*(?=\S)")


def split_speaker(cleaned: str) -> tuple[str, str]:
    """A sentence and the speaker span opening or closing it, if any: ("nk sent troops", "the us says")."""
    found = _LEADING_SPEAKER.search(cleaned)
    if found is not None:
        return cleaned[found.end() :], found.group(1)
    found = _TRAILING_SPEAKER.search(cleaned)
    if found is None or found.start() == 0:
        return cleaned, ""
    return cleaned[: found.start()], found.group(1)


def words(cleaned: str, correct: Callable[[str], str] | None = None) -> list[str]:
    """Surface words of cleaned text, with number words folded into canonical numbers; typos are
    corrected first, so that "ten thousnad" is a figure too."""
    raw = _WORD.findall(cleaned)
    if correct is not None:
        raw = [correct(w) for w in raw]
    return raw if NUMBER_WORDS.isdisjoint(raw) else _fold_number_words(raw)


# An ordinal before a span of time is a figure as "2nd" is ("the second week of October"); elsewhere
# ("at first", "a second look") it is a word.
_ORDINALS = {
    "first": 1, "second": 2, "third": 3, "fourth": 4, "fifth": 5,
    "sixth": 6, "seventh": 7, "eighth": 8, "ninth": 9, "tenth": 10,
}
_SPANS = frozenset(("week", "weeks", "month", "months", "day", "days", "year", "years", "half", "quarter"))
# After a figure only: "ten k", "10 grand", "ten thousands" ("k" alone is chat for "ok", "grand" an
# adjective, and "thousands" alone no figure at all)
_SCALES_AFTER_FIGURE = {"k": 1_000, "grand": 1_000} | {f"{word}s": scale for word, scale in _SCALES.items()}
_SCALE_OF = _SCALES | _SCALES_AFTER_FIGURE
NUMBER_WORDS = frozenset(_UNITS) | frozenset(_SCALE_OF) | frozenset(_ORDINALS) | {"half"}


def _fold_number_words(raw: list[str]) -> list[str]:
    out: list[str] = []
    i = 0
    n = len(raw)
    while i < n:
        word = raw[i]
        if word in _ORDINALS and i + 1 < n and raw[i + 1] in _SPANS:
            out.append(str(_ORDINALS[word]))
            i += 1
            continue
        if word == "half" and i + 2 < n and raw[i + 1] == "a" and raw[i + 2] in _SCALES:  # "half a dozen"
            out.append(format_count(_SCALES[raw[i + 2]] / 2))
            i += 3
            continue
        if word == "half" and i + 1 < n and raw[i + 1] in _SCALES:  # "a half dozen", "half million"
            out.append(format_count(_SCALES[raw[i + 1]] / 2))
            i += 2
            continue
        # "one and a half thousand", "two and a half million"
        units = _UNITS.get(word) or _WEAK_UNITS.get(word)
        if units and raw[i + 1 : i + 4] == ["and", "a", "half"] and i + 4 < n and raw[i + 4] in _SCALES:
            out.append(format_count((units + 0.5) * _SCALES[raw[i + 4]]))
            i += 5
            continue
        starts = word in _UNITS or word in _SCALES or (
            word in _WEAK_UNITS and i + 1 < n and raw[i + 1] in _SCALES
        )
        if not starts:
            # "10 thousand" arrives as "10", "thousand" when the number regex did not join them
            figure = word.replace(".", "", 1).isdigit()  # not "6y" nor "1e5"
            if figure and i + 1 < n and raw[i + 1] in _SCALE_OF:
                out.append(format_count(float(word) * _SCALE_OF[raw[i + 1]]))
                i += 2
                continue
            out.append(word)
            i += 1
            continue
        total = 0
        current = 0
        while i < n:
            word = raw[i]
            if word in _UNITS or (word in _WEAK_UNITS and i + 1 < n and raw[i + 1] in _SCALES):
                current += _UNITS.get(word, 1)
            elif word == "one" and current % 100 >= 20 and current % 10 == 0:  # "twenty-one"
                current += 1
            elif word in _SCALES or (word in _SCALES_AFTER_FIGURE and (total or current)):
                scale = _SCALE_OF[word]
                if scale == 100:
                    current = max(current, 1) * 100
                else:
                    total += max(current, 1) * scale
                    current = 0
            elif word == "and" and i + 1 < n and (raw[i + 1] in _UNITS or raw[i + 1] in _SCALES) and (
                total or current
            ):
                pass
            else:
                break
            i += 1
        out.append(format_count(total + current))
    return out


def tokens(cleaned: str, correct: Callable[[str], str] | None = None) -> list[str]:
    """Stemmed tokens of one clause, stopwords and markers included (the guards need word order).
    A comma stays as a token: "kim sends troops, putin pays" has two subjects."""
    if "," in cleaned:
        parts = cleaned.split(",")
        surface = [w for part in parts for w in (*words(part, correct), COMMA)][:-1][:MAX_CLAUSE_TOKENS]
    else:
        surface = words(cleaned, correct)[:MAX_CLAUSE_TOKENS]
    return stems(surface)


def stems(surface: list[str]) -> list[str]:
    cache = _stem_cache
    return [cache.get(w) or stem(w) for w in surface]


def proper_names(text: str) -> frozenset[str]:
    """Stems of the capitalised words of a claim that do not start a sentence ("Kursk", "Donetsk"):
    the names of places and things, which a message cannot swap for others and still restate it.
    Small words are no names, even in a title-case headline ("Did Congress Pass ...")."""
    names = set()
    for match in _CAPITALISED.finditer(text, 0, MAX_CHARS):
        before = match.start() - 1
        while before >= 0 and text[before].isspace():
            before -= 1
        if before >= 0 and text[before] not in ".!?:\"'(\u201c":
            names.add(stem(match.group().lower()))
    return frozenset(names - MONTHS - NON_CONTENT)


_CAPITALISED = re.compile(r"\b[A-Z][a-z]+\b")


@functools.cache
def common_words() -> frozenset[str]:
    """English words common enough that a message using one meant it, not a claim word a letter or
    two away ("stays" is not a typo of "says", nor "fighters" of "freighters"). Loaded on first use."""
    from spellchecker import SpellChecker

    counts = SpellChecker(language="en", distance=1).word_frequency.dictionary
    return frozenset(word for word, count in counts.items() if count >= _COMMON_WORD_MIN and word.isalpha())


_COMMON_WORD_MIN = 200  # occurrences in its corpus; words found only in its dictionary count 50


def is_number(token: str) -> bool:
    return token[:1].isdigit()


def is_content(token: str) -> bool:
    return token not in NON_CONTENT
