"""Cue-word families: hand-made lexicons whose *weights* are learnt from data.

Each family groups words that signal one kind of request. The model sees, per family, whether a
cue occurs near the start of the prompt, near its end, or anywhere in the analysed window. A
template that says "Summarize:" then teaches the weight of the whole summary family, which is
what lets the classifier read "tl;dr pls" or "give me the gist" in real user prompts.
"""

from __future__ import annotations

import re

EDGE_CHARS = 240
WINDOW_CHARS = 6000

FAMILIES: dict[str, str] = {
    "code": r"python|javascript|typescript|java|c\+\+|c#|golang|rust|sql|bash|shell|powershell|script|"
            r"function|functions|class|method|code|coding|compile|compiler|bug|debug|error|exception|"
            r"stack ?trace|api|regex|regular expression|docker|dockerfile|kubernetes|git|github|react|"
            r"django|flask|pandas|numpy|html|css|json|yaml|database|query|algorithm|implement|refactor|"
            r"unit tests?|library|framework|npm|pip|linux|terminal|command line|one-liner|segfault|"
            r"node\.?js|server|endpoint|frontend|backend|program|programming|snippet|variable|array|"
            r"string|integer|loop|recursion|def|return|import|print|vba|excel formula|swift|kotlin|php",
    "math": r"solve|equation|equations|integral|integrate|derivative|differentiate|calculate|compute|"
            r"prove|proof|probability|sum of|how many|how much|percent|percentage|area|perimeter|volume|"
            r"roots?|polynomial|matrix|theorem|expected|average|ratio|fraction|simplify|factorial|"
            r"remainder|prime|geometry|triangle|circle|radius|digits?|integers?|real numbers?|"
            r"evaluate|minimum|maximum|total|cost|costs|price|interest|speed|distance|each",
    "writing": r"story|stories|poem|poems|poetry|lyrics|song|haiku|limerick|sonnet|fiction|novel|"
               r"character|characters|role-?play|pretend|imagine|creative|compose|draft|slogan|tagline|"
               r"caption|rhymes?|rewrite|rephrase|paraphrase|narrative|essay|letter|speech|toast|"
               r"monologue|dialogue|screenplay|script|blog|article|post|bedtime|fairy tale|plot|"
               r"write|writing|generate|create|brainstorm|names for|ideas for|funny|style of",
    "summary": r"summarize|summarise|summary|summaries|summarization|tl;?dr|key points|main points|"
               r"takeaways?|gist|condense|shorten|briefly|in brief|outline|extract|pull out|list (all|every)|"
               r"action items|highlights|abstract|headline|title for|overview|according to the|"
               r"based on the (text|passage|article|above|document|context)|one sentence|bullet points?|"
               r"as json|fields|key details|from the (text|passage|article|following)|main idea|recap",
    "factual": r"who|what|when|where|which|why|how|capital of|invented|discovered|founded|born|"
               r"year|population|meaning of|stand for|define|definition|difference between|is it true|"
               r"name the|tell me about|explain",
    "classify": r"classify|classification|categori[sz]e|category|categories|label|labels|sentiment|"
                r"positive|negative|neutral|tone|spam|toxic|hate speech|offensive|emotion|intent|genre|"
                r"topic|which of the following|options|choose|pick|rating|stars?|clickbait|phishing|"
                r"sarcastic|sarcasm|tag|is this (a|an)|belongs? to|type of|decide whether|yes or no|"
                r"true or false|identify whether|detect",
}
_PATTERNS = {name: re.compile(rf"(?<![a-z])(?:{body})(?![a-z])") for name, body in FAMILIES.items()}
POSITIONS = ("start", "end", "any")
N_CUES = len(FAMILIES) * len(POSITIONS)
CUE_NAMES = tuple(f"{name}@{pos}" for name in FAMILIES for pos in POSITIONS)


def cue_columns(text: str, offset: int) -> list[int]:
    """Column indices (from ``offset``) of the cue families present at each position."""
    lowered = text[:WINDOW_CHARS].lower()
    start = lowered[:EDGE_CHARS]
    end = text[-EDGE_CHARS:].lower()
    cols = []
    for f, pattern in enumerate(_PATTERNS.values()):
        base = offset + f * len(POSITIONS)
        if pattern.search(start):
            cols.append(base)
        if pattern.search(end):
            cols.append(base + 1)
        if pattern.search(lowered):
            cols.append(base + 2)
    return cols
