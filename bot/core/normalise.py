"""Text normalisation shared by the index and the questions it is asked.

Both sides go through the same steps, so "$34.4bn", "34.4 billion dollars" and
"US$34.4 billion" meet on the same tokens, and "imitate" meets "copy".

What is here is general English. An article's own words (its names, its synonyms: "deep seek" for
"deepseek", "prc" for "china") are content (``vocabulary.yaml``, read by bot/core/vocabulary.py): a
``Normaliser`` is made for one ``Vocabulary``, so two libraries in one process fold each their own.
The module-level ``words``, ``term`` and ``tokens`` are general English only.
"""

from __future__ import annotations

import functools
import re
import unicodedata
from dataclasses import dataclass

# Typographic quotes and dashes, folded onto their ASCII forms.
_TYPOGRAPHY = str.maketrans(
    "\u2018\u2019\u201a\u201b\u2032\u201c\u201d\u201e\u00ab\u00bb\u2010\u2011\u2012\u2013\u2014\u2212",
    "'''''\"\"\"\"\"------",
)
# Zero-width and bidi control characters: invisible, but they split words.
_INVISIBLE = re.compile(r"[\u200b-\u200f\u202a-\u202e\u2060-\u2064\u2066-\u2069\ufeff\u00ad]")

# (substrings that must be present, pattern, replacement): the cheap test skips most
# patterns for most questions, which keeps a question's normalisation to a few microseconds.
_DIGIT = ("0", "1", "2", "3", "4", "5", "6", "7", "8", "9")
_REWRITES = [
    ((",",), re.compile(r"(?<=\d),(?=\d{3}(?!\d))"), ""),
    (("$", "usd", "dollar"), re.compile(r"\bu\.?s\.?\s*(?:\$|dollars?\b)|\$|\busd\b|\bdollars?\b"), " usd "),
    (_DIGIT, re.compile(r"(\d)\s*(?:bn|b)\b"), r"\1 billion"),
    (_DIGIT, re.compile(r"(\d)\s*(?:mn|mln|m)\b"), r"\1 million"),
    (("%", "cent", "pct"), re.compile(r"%|\bper\s*cent\b|\bpct\b|\bpercentage\b"), " percent "),
    (("rmb", "cny", "renminbi"), re.compile(r"\b(?:rmb|cny|renminbi)\b"), " yuan "),
    (("intelligence", "a.i"), re.compile(r"\bartificial\s+intelligence\b|\ba\.i\.?"), " ai "),
    (("&",), re.compile(r"\br\s*&\s*d\b"), " research "),
    (("tech",), re.compile(r"\bhi-?tech\b|\bhigh-tech\b"), " high tech "),
    (("who",), re.compile(r"\bwho'?s\b"), " who "),
    (
        ("u.s", "usa", "the us", "united states", "america"),
        re.compile(r"\bu\.s\b\.?a?|\busa\b|\bthe us\b|\bunited states\b|\bamericans?\b|\bamerica\b"),
        " usa ",
    ),
    (("'",), re.compile(r"'s\b|'"), " "),
]
_TRIGGERS = re.compile(
    "|".join(re.escape(t) for t in sorted({t for ts, _, _ in _REWRITES for t in ts}, key=len, reverse=True))
)
# Trigger → the positions of the rewrites it calls for (they run in list order).
_CALLS_FOR: dict[str, list[int]] = {}
for _position, _rewrite in enumerate(_REWRITES):
    for _trigger in _rewrite[0]:
        _CALLS_FOR.setdefault(_trigger, []).append(_position)
# "US" in capitals is the country; "us" in lower case is the country only after "the" ("tell us").
_US_CAPITALS = re.compile(r"\bU\.?S\.?A?\b(?!\.?\s*(?:\$|(?i:dollar)))")
# Numbers (with decimals), words, and names such as "5G" that mix both.
_TOKEN = re.compile(r"\d+[^\W\d_]\w*|\d+(?:\.\d+)?|[^\W\d_]+")

# Function words and the everyday verbs, adverbs and fillers of questions. They carry no
# topic, so a question is weighed by its content words. "us" is the pronoun: the country is "usa".
_STOPWORDS = """
a an the and or but nor if of to in on at by for from with about as into onto than then so us
is are was were be been being am do does did doing done has have had having will would shall
should can could may might must it its itself this that these those there here i me my mine
myself you your yours we our ours they them their theirs he him his she her hers what which
whats how hows whom whose tell show give explain know knew please pls plz thx say said says
just also any some very really according one ones thing things get gets got bit lot lots much
kind sort isn aren wasn weren don doesn didn won wouldn can cannot couldn shouldn t s d ll re ve
m ok okay yes no not yeah hey actually basically anyway else ever still even only quite rather
something anything everything nothing someone anyone everyone somebody anybody everybody
want wants need needs think thinks believe mean means meant refer refers referring stand stands
regarding concerning re via per like way ways make makes made let lets go goes going gone
true right wrong sure maybe perhaps probably stuff info information detail details describe
look looks looking see seen read reading find found learn getting given point points again
quick quickly list behind whole figure figures number numbers stat stats statistic statistics
whether while because since without among between through during both each such own yet already
before after off out around against along however instead always soon lately recently now today
""".split()
STOPWORDS = frozenset(_STOPWORDS)

# General-English synonym groups, each folded onto its first word. They let readers'
# words meet the article's without listing every paraphrase in the content.
_SYNONYM_GROUPS = [
    "copy copies copied copying copycat imitate imitates imitating imitation imitator imitators mimic mimics"
    " clone clones cloning knockoff knockoffs replicate replicating",
    "spend spends spent spending expenditure expenditures expense expenses budget budgets funding fund funds outlay",
    "stock stocks shares equities equity",
    "country countries nation nations",
    "agreement agreements treaty treaties accord accords pact pacts",
    "author writer writers journalist journalists reporter reporters columnist",
    "outlet newspaper newspapers paper publisher media magazine",
    "article piece story text",
    "title titled headline called",
    "published publish publishing released release dated date",
    "cost costs cheap cheaper cheapest affordable affordability inexpensive",
    "rise rises rising increase increases increased grow grows growth growing gain gains jump jumps climb boost",
    "west western westerners westerner",
    "world global globally worldwide international",
    "innovation innovations innovate innovates innovating innovative innovator innovators",
    "technology technologies technological tech techs",
    "investor investors investing",
    "cooperation cooperate cooperating collaboration collaborate partnership partnerships",
]
SYNONYMS = {word: group.split()[0] for group in _SYNONYM_GROUPS for word in group.split()}

# Countries and regions by name and adjective: a question about one of these and not about
# China asks about another country's economy, whatever else it shares with the article.
COUNTRIES = frozenset(
    """
    usa china chinese uk britain british england japan japanese india indian korea korean germany german france french
    europe european eu russia russian canada canadian australia australian brazil brazilian taiwan
    taiwanese singapore vietnam vietnamese israel israeli italy italian spain spanish mexico mexican
    netherlands dutch sweden swedish switzerland swiss indonesia indonesian pakistan iran iranian africa
    african nigeria saudi arabia emirates argentina chile poland polish ukraine ukrainian thailand thai
    malaysia philippines bangladesh egypt norway finland denmark ireland irish belgium austria greece
    """.split()
)
# The same countries in Chinese (simplified: a question is read so first), each as the English word above.
CHINESE_COUNTRIES = {
    "美国": "usa", "英国": "uk", "日本": "japan", "印度": "india", "韩国": "korea", "德国": "germany",
    "法国": "france", "欧洲": "europe", "欧盟": "eu", "俄罗斯": "russia", "加拿大": "canada",
    "澳大利亚": "australia", "巴西": "brazil", "新加坡": "singapore", "越南": "vietnam", "以色列": "israel",
    "意大利": "italy", "西班牙": "spain", "墨西哥": "mexico", "荷兰": "netherlands", "瑞典": "sweden",
    "瑞士": "switzerland", "印尼": "indonesia", "印度尼西亚": "indonesia", "巴基斯坦": "pakistan",
    "伊朗": "iran", "非洲": "africa", "尼日利亚": "nigeria", "沙特": "saudi", "阿根廷": "argentina",
    "波兰": "poland", "乌克兰": "ukraine", "泰国": "thailand", "马来西亚": "malaysia", "菲律宾": "philippines",
}  # fmt: skip
CHINESE_CHINA = ("中国", "中华")


def _fold(text: str) -> str:
    text = _INVISIBLE.sub("", unicodedata.normalize("NFKC", text).translate(_TYPOGRAPHY))
    # After NFKC, which makes "ＵＳ" plain; before case folding, which loses it. In text all in
    # capitals ("TELL US MORE") only "THE US" is the country, as in lower case.
    if "U" in text and not text.isupper():
        text = _US_CAPITALS.sub(" usa ", text)
    return text.casefold()


def clean(text: str) -> str:
    """Folded words only: the form used for exact small-talk lookups."""
    return " ".join(_TOKEN.findall(_fold(text)))


def stem(word: str) -> str:
    """A deliberately small stemmer: plural and common suffixes, then a 7-letter prefix."""
    if word.isdigit() or "." in word:
        return word
    for suffix, replacement in (("ies", "y"), ("ing", ""), ("ed", ""), ("es", ""), ("s", "")):
        if len(word) > len(suffix) + 3 and word.endswith(suffix) and not word.endswith("ss"):
            word = word[: -len(suffix)] + replacement
            break
    return word[:7]


def _general(text: str) -> str:
    """Folded, with the general-English rewrites applied: what an article's rewrites then see."""
    text = _fold(text)
    due = {position for trigger in set(_TRIGGERS.findall(text)) for position in _CALLS_FOR[trigger]}
    for position in sorted(due):
        _, pattern, replacement = _REWRITES[position]
        text = pattern.sub(replacement, text)
    return text


def read_as(text: str) -> list[str]:
    """Every word of ``text`` as questions are read before an article's vocabulary, stopwords kept."""
    return _TOKEN.findall(_general(text))


@dataclass(frozen=True)
class Vocabulary:
    """An article's own words, from its content folder (``vocabulary.yaml``); empty: general English only."""

    # Groups of words read as one, each folded onto its first word ("china chinese prc beijing").
    synonyms: tuple[tuple[str, ...], ...] = ()
    # (phrase, replacement): "deep seek" → "deepseek"; matched after the general-English rewrites.
    rewrites: tuple[tuple[str, str], ...] = ()
    # Words that carry no topic in this article, on top of ``STOPWORDS``.
    stopwords: frozenset[str] = frozenset()

    @property
    def words(self) -> frozenset[str]:
        return frozenset(word for group in self.synonyms for word in group)


class Normaliser:
    """Content words and index terms of a text: general English, then one article's vocabulary."""

    def __init__(self, vocabulary: Vocabulary | None = None) -> None:
        self.vocabulary = vocabulary = vocabulary or Vocabulary()
        self.stopwords = STOPWORDS | vocabulary.stopwords
        # An article's group may fold onto a general word ("copy follower …"): its head is then read as
        # general English reads it. The article's groups win over the general ones for their words.
        own = {word: group[0] for group in vocabulary.synonyms for word in group}
        self.synonyms = {**SYNONYMS, **{word: SYNONYMS.get(head, head) for word, head in own.items()}}
        self._rewrites = [_article_rewrite(phrase, replacement) for phrase, replacement in vocabulary.rewrites]
        # Per normaliser, so that two libraries never share a folded term.
        self.term = functools.lru_cache(maxsize=8192)(self._term)

    def words(self, text: str) -> list[str]:
        """The content words of ``text``: folded, rewritten, stopwords dropped, not yet stemmed."""
        text = _general(text)
        for trigger, pattern, replacement in self._rewrites:
            if trigger in text:
                text = pattern.sub(replacement, text)
        stopwords = self.stopwords
        return [word for word in _TOKEN.findall(text) if word not in stopwords]

    def _term(self, word: str) -> str:
        """The index term of one content word: synonyms merged, then stemmed."""
        return stem(self.synonyms.get(word, word))

    def tokens(self, text: str) -> list[str]:
        """The index terms of ``text``."""
        return [self.term(word) for word in self.words(text)]


def _article_rewrite(phrase: str, replacement: str) -> tuple[str, re.Pattern[str], str]:
    """(trigger, pattern, replacement) for one phrase of an article: its words as the general rewrites
    leave them, joined by spaces, hyphens or nothing ("deep seek", "deep-seek", "deepseek")."""
    said = read_as(phrase)
    pattern = re.compile(r"\b" + r"[\s-]*".join(map(re.escape, said)) + r"\b")
    return said[0], pattern, f" {' '.join(read_as(replacement))} "


GENERAL = Normaliser()
words = GENERAL.words
term = GENERAL.term
tokens = GENERAL.tokens
