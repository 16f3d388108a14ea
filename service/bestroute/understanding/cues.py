"""Cue-word families: hand-made lexicons whose *weights* are learnt from data.

Each family groups words that signal one kind of request. The model sees, per family, whether a
cue occurs near the start of the prompt, near its end, or anywhere in the analysed window. A
template that says "Summarize:" then teaches the weight of the whole summary family, which is
what lets the classifier read "tl;dr pls" or "give me the gist" in real user prompts.

Single words are matched as whole tokens (set lookups), phrases as substrings; both are cheap.
"""

from __future__ import annotations

import re

EDGE_CHARS = 240

_FAMILY_TEXT: dict[str, str] = {
    "code": "python javascript typescript java c++ c# golang rust sql bash shell powershell script "
            "function functions class method code coding compile compiler bug debug error exception "
            "stacktrace api regex docker dockerfile kubernetes git github react django flask pandas "
            "numpy html css json yaml database query algorithm implement refactor library framework npm "
            "pip linux terminal segfault server endpoint frontend backend program programming snippet "
            "variable array string integer loop recursion def return import print vba swift kotlin php "
            "cron crontab nginx makefile webpack flexbox div funktion skript programm fonction programa "
            "| regular expression | stack trace | unit test | command line | one-liner | node.js | excel formula",
    "math": "solve equation equations integral integrate derivative differentiate calculate compute prove "
            "proof probability percent percentage area perimeter volume root roots polynomial matrix "
            "theorem expected average ratio fraction simplify factorial remainder prime geometry triangle "
            "circle radius digit digits integer integers evaluate minimum maximum total cost costs price "
            "interest speed distance each | sum of | how many | how much | real number",
    "writing": "story stories poem poems poetry lyrics song haiku limerick sonnet fiction novel character "
               "fable tale tales joke jokes riddle ballad ode verse couplet myth parable rap lullaby "
               "characters roleplay pretend imagine creative compose draft slogan tagline caption rhyme "
               "rhymes rewrite rephrase paraphrase narrative essay letter speech toast monologue dialogue "
               "screenplay script blog article post bedtime plot write writing generate create brainstorm "
               "funny | role-play | fairy tale | names for | ideas for | style of",
    "summary": "summarize summarise summary summaries summarization tl tldr takeaway takeaways gist condense "
               "shorten briefly outline extract highlights abstract headline overview recap fields "
               "| tl;dr | key points | main points | in brief | pull out | list all | list every "
               "| action items | title for | according to the | based on the | one sentence "
               "| bullet point | as json | key details | from the text | from the passage "
               "| from the article | from the following | main idea | nutshell | sum up | boil down "
               "| in short | distill | short version | out of this | from this email | from this message "
               "| in this email | in this message | email addresses | key figures | main takeaways "
               "| make this shorter | in bullets | résum | resum | zusammenfass | fasse | riassum | samenvat",
    "factual": "who what when where which why how capital invented discovered founded born year population "
               "meaning define definition explain | stand for | difference between | is it true "
               "| name the | tell me about | quién | cuál | cuándo | dónde | qui a | qui est | wer ist "
               "| wer war | wann ist | wann war | welche | quem | qual é",
    "classify": "classify classification categorize categorise category categories label labels sentiment "
                "positive negative neutral tone spam toxic offensive emotion intent genre topic options "
                "choose pick rating star stars clickbait phishing sarcastic sarcasm tag belong belongs ham "
                "urgency tickets "
                "detect | hate speech | which of the following | is this a | is this an | type of "
                "| decide whether | yes or no | true or false | identify whether | positive or negative "
                "| spam or | each as | which department | how urgent | would you say this | what tone | positiv "
                "| negativ | positif | négatif | clasific | classifi | klassifi | beleidig | ofensiv",
}


def _parse(spec: str) -> tuple[frozenset[str], tuple[str, ...]]:
    head, *phrases = [part.strip() for part in spec.split("|")]
    return frozenset(head.split()), tuple(p for p in phrases if p)


FAMILIES: dict[str, tuple[frozenset[str], tuple[str, ...]]] = {k: _parse(v) for k, v in _FAMILY_TEXT.items()}
POSITIONS = ("start", "end", "any")
N_CUES = len(FAMILIES) * len(POSITIONS)
CUE_NAMES = tuple(f"{name}@{pos}" for name in FAMILIES for pos in POSITIONS)
_TOKEN = re.compile(r"[a-z0-9+#]+")


def _present(lowered: str) -> list[bool]:
    tokens = set(_TOKEN.findall(lowered))
    return [bool(tokens & words) or any(p in lowered for p in phrases) for words, phrases in FAMILIES.values()]


def cue_columns(text: str, offset: int) -> list[int]:
    """Column indices (from ``offset``) of the cue families present at each position.

    ``text`` is the already-windowed prompt (see ``features``), which bounds the cost.
    """
    lowered = text.lower()
    hits = zip(_present(lowered[:EDGE_CHARS]), _present(lowered[-EDGE_CHARS:]), _present(lowered))
    cols = []
    for f, flags in enumerate(hits):
        cols += [offset + f * len(POSITIONS) + p for p, hit in enumerate(flags) if hit]
    return cols
