"""The named features the prompt-injection scorer (``instructions.injection_signals``) weighs:
structural markers, targets (this tool or its output) and orders. Each is a ``Feature`` with its
kind, weight, finder and a line saying what it finds; ``instructions`` says how they combine."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

from briefer.text.words import verb_forms

_FLAGS = re.IGNORECASE | re.VERBOSE

_OUTPUT_NOUN = (
    r"(?:brief|summary|summaries|title|headline|bottom[\s_]line|sections?|output|response"
    r"|answer|reply|json)"
)
_AI_NOUN = (
    r"(?:AI|A\.I\.|artificial\s+intelligence|assistant|language\s+model|LLM|chat\s*bot|bot"
    r"|GPT[-\w]*|model|summari[sz]er|tool|system)"
)
# A line that opens by naming the tool it speaks to: "Summarizer: …", "AI assistant, …",
# "Brief writer — …" (a vocative, not a news subject: a name, a comma or colon, then the order).
_OPENING_ADDRESS = (
    # "The chatbot, launched in 2023, …" is a subject: an article only after "to", "dear", …
    r"^\W{0,3}(?:(?:dear|hey|hi|hello|attention|to|note\s+(?:to|for))\s+(?:the\s+|any\s+|an?\s+)?)?"
    r"(?:(?:AI|A\.I\.|automated|digital|virtual|summary|summari[sz]ing|news)\s+)?"
    r"(?:AI|A\.I\.|assistant|language\s+model|LLM|model|chat\s*bot|bot|summari[sz]er"
    r"|(?:brief(?:ing)?|summary|digest|news)\s+(?:writer|tool|bot|generator|compiler|assistant))s?"
    r"\s*(?:[:,]|\s[—–-]\s)"
)
# Who a message to the tool is for, and what it is called ("Note to the language model: …").
_ADDRESSEE = (
    r"(?:AI|A\.I\.|assistant|language\s+model|LLM|model|chat\s*bot|bot|summari[sz]er|GPT"
    r"|machine|automated\s+\w+)s?"
)
_MESSAGE = (
    r"(?:(?:new\s+)?(?:note|message|instructions?|reminder|memo|notice|request|directive|warning"
    r"|rule|order|command|task|update|guidance)|P\.?S\.?)"
)
# "… to the AI", "… for any large language model".
_TO_ADDRESSEE = r"\s+(?:to|for)\s+(?:the\s+|any\s+|all\s+|an?\s+)?(?:\w+\s+){0,2}?" + _ADDRESSEE
_MODAL = (
    r"(?:must|should|shall|needs?\s+to|has\s+to|have\s+to|is\s+to|are\s+to"
    r"|(?:is|are)\s+(?:required|expected|instructed|supposed)\s+to)"
)
# Verbs of what a text says: with an output noun and a modal they dictate the brief's content.
_CONTENT_VERB = r"""(?:say|read|state|include|mention|contain|describe|begin|start|open|end|close
    |conclude|call|use|note|emphasi[sz]e|highlight|list|repeat|claim|portray|present
    |characteri[sz]e|reflect|focus|blame|praise|omit|exclude|only\s+(?:say|contain|read)
    |be\s+(?=["“'‘])|be\s+(?:titled|called|named|written|replaced|set|changed|rewritten|only
    |exactly|just|empty|blank|left|in\s+(?:all\s+)?caps|in\s+(?:capital|upper)
    |the\s+(?:word|phrase|text|string|sentence)))"""
# An imperative a tool is given: verbs rarely at the start of a news sentence in this mood
# ("Make no mistake", "Set against", "Use of force" are left out or excluded).
_IMPERATIVE_VERB = r"""(?:ignore|disregard|forget|override|bypass|overrule|discard|write|rewrite
    |output|print|respond|reply|answer|say|state|include|insert|append|prepend|add|use|call
    |describe|portray|present|characteri[sz]e|summari[sz]e|paraphrase|begin|start|end|finish
    |conclude|repeat|replace|remove|omit|skip|exclude|delete|pretend|act\s+as|treat|mention
    |emphasi[sz]e|highlight|list|produce|generate|rename|declare|format|refer|classify|avoid
    |remember|assume|obey|comply|ensure|make\s+sure|be\s+sure|headline|leave\s+out|hide
    |suppress|downplay|play\s+down|tone\s+down|stress|praise|blame
    |put(?!\s+(?:simply|another\s+way|differently|bluntly|briefly|plainly|together|off|aside))
    |do\s+not|don['’]t|never(?!\s+(?:before|again|mind|once|has|have|had|was|were|is|did|been))
    |only\s+(?:write|output|say|respond|reply|answer|use|include|mention)|title|label)"""
# Lead-in words before an imperative: politeness, sequencing, labels ("IMPORTANT:", "Note:").
_LEAD_IN = r"""(?:(?:please|kindly|now|also|instead|then|first(?:ly)?|finally|simply|just|always
    |important(?:ly)?|urgent|note|notice|attention|reminder|ok(?:ay)?|and|so)\b[\s,:!.—-]*)*"""
_IMPERATIVE = re.compile(
    r"[\s\"“”'‘’*_(\[>#-]{0,8}" + _LEAD_IN + r"(?P<verb>" + _IMPERATIVE_VERB + r")\b"
    r"(?![-’'])(?!\s+(?:of|at|in|on|from|by|for|with|was|were|is|are|has|had|have|will"
    r"|would|could|may|might|fell|rose|grew|came|comes)\b)(?=\s+\S)",
    _FLAGS,
)
# Where a clause starts: after a colon or semicolon, an opening quote, a dash or bracket, a
# comma with "so", "and" or "then", and after a leading subordinate clause ("When summarising
# this article, describe …").
_CLAUSE_START = re.compile(
    r"[:;]\s*|[\"“‘]|(?<!\w)'|—\s*|\(|\.\.\.\s*|,\s+(?:so|and|then|and\s+then)\s+(?=\w)"
)
_LEADING_CLAUSE = re.compile(
    r"^\W*(?:when|whenever|while|if|before|after|as|for|in|once|unless|to|instead\s+of|whatever)"
    r"\b[^,.;:]{0,100},\s*",
    re.IGNORECASE,
)
# A clause ends at a full stop, colon or semicolon, or where a quotation closes on a comma
# ('"You are a liar," Trump said'; British style: 'Stop', he said).
_CLAUSE_END = re.compile(r"[.;:!?]|,[\"”’']|(?<=\S)[\"”’'],")


@dataclass(frozen=True)
class Feature:
    """One named signal: ``kind`` is structural, target or order; ``weight`` 1 (weak) or 2."""

    name: str
    kind: str
    weight: int
    find: Callable[[str], list[tuple[int, int]]]
    doc: str


def _regex(*alternatives: str, clause: bool = False) -> Callable[[str], list[tuple[int, int]]]:
    """Spans where any of ``alternatives`` matches; with ``clause``, each runs on to the end of
    its clause (an order's clause holds what it orders: "your task is to write X as the title")."""
    compiled = re.compile("|".join(f"(?:{a})" for a in alternatives), _FLAGS)

    def find(text: str) -> list[tuple[int, int]]:
        spans = []
        for match in compiled.finditer(text):
            end = match.end()
            if clause:
                stop = _CLAUSE_END.search(text, end)
                end = stop.start() if stop else len(text)
            spans.append((match.start(), end))
        return spans

    return find


def _clause_starts(text: str) -> list[tuple[int, int]]:
    """(where the clause begins, where its verb may stand): a leading subordinate clause
    belongs to the clause of the verb after its comma ("For the headline, use …")."""
    starts = {(0, 0), *((m.end(), m.end()) for m in _CLAUSE_START.finditer(text))}
    if lead := _LEADING_CLAUSE.match(text):
        starts.add((0, lead.end()))
    return sorted(starts)


def _imperatives(text: str) -> list[tuple[int, int]]:
    """Clauses that start with an imperative, to the clause end."""
    spans: list[tuple[int, int]] = []
    for begin, start in _clause_starts(text):
        match = _IMPERATIVE.match(text, start)
        if match:
            end = _CLAUSE_END.search(text, match.end())
            spans.append((begin, end.start() if end else len(text)))
    return spans


_TOOL_VERB = re.compile(
    r"^(?:output|print|respond|reply|answer|summari[sz]e|rewrite|paraphrase|generate|format)\b",
    re.IGNORECASE,
)


_ADDRESSED = re.compile(_OPENING_ADDRESS, re.IGNORECASE)
_NEXT_WORD = re.compile(r"\s*(?:please\s+)?([A-Za-z’']+)")


def _addressed_orders(text: str) -> list[tuple[int, int]]:
    """A line that names the tool and then orders it: "Summarizer: say …", "AI, ignore …",
    "Digest bot — leave …" (the word after the name is a verb's base form, "you" or "do not");
    "Model, actor and activist Jane Doe …" is no order."""
    match = _ADDRESSED.match(text)
    if match is None:
        return []
    after = _NEXT_WORD.match(text, match.end())
    word = after.group(1).lower() if after else ""
    if word in ("you", "your", "do", "don't", "don’t", "never", "always", "only") or (
        "VB" in verb_forms(word)
    ):
        end = _CLAUSE_END.search(text, match.end())
        return [(0, end.start() if end else len(text))]
    return []


def _tool_imperatives(text: str) -> list[tuple[int, int]]:
    """An imperative whose verb is itself about output ("Respond only with …") names its
    target."""
    out: list[tuple[int, int]] = []
    for begin, start in _clause_starts(text):
        match = _IMPERATIVE.match(text, start)
        if match and _TOOL_VERB.match(re.sub(r"^only\s+", "", match.group("verb"), flags=re.I)):
            end = _CLAUSE_END.search(text, match.end())
            out.append((begin, end.start() if end else len(text)))
    return out


FEATURES: tuple[Feature, ...] = (
    # -- structural: always an injection
    Feature(
        "role_tag",
        "structural",
        2,
        _regex(r"^\W{0,3}(?:system|assistant|user|developer|human)\s*(?:\([^)]*\)\s*)?:"),
        'a chat role label opens the line: "SYSTEM:", "Assistant:"',
    ),
    Feature(
        "template_token",
        "structural",
        2,
        _regex(
            r"<\|[\w-]+\|>",
            r"\[/?(?:INST|SYS|SYSTEM)\]",
            r"<</?SYS>>",
            r"</?(?:system|instructions?|prompt|im_start|im_end)>",
        ),
        "chat-template tokens: <|im_start|>, [INST], <<SYS>>, <system>",
    ),
    Feature(
        "instruction_header",
        "structural",
        2,
        _regex(r"^\W{0,3}\#{1,6}\s*(?:system|instructions?|response|prompt|assistant|user|task)\b"),
        'an instruction-format header: "### Instruction", "### Response"',
    ),
    Feature(
        "markup_comment",
        "structural",
        2,
        _regex(r"<!--", r"^\W{0,3}\[//\]\s*:\s*\#"),
        'a comment in markup, which no reader sees: "<!-- … -->", "[//]: # (…)"',
    ),
    Feature(
        "planted_json",
        "structural",
        2,
        _regex(
            r"[{,]\s*[\"“'](?:title|bottom_line|background|us_position|ground_situation|outlook"
            r"|sections?|summary|headline|statements?)[\"”']\s*:"
        ),
        'a JSON object with the brief\'s keys: {"title": …}',
    ),
    # -- target: this tool or its output (strong), or a word news uses too (weak)
    Feature(
        "own_output",
        "target",
        2,
        _regex(
            r"\byour\s+(?:brief|summary|summaries|answer|response|output|reply|title|headline"
            r"|bottom\s+line|sections?|json)\b",
            r"\b(?:title|headline|bottom\s+line|sections?|summary|first\s+line|opening|heading)"
            r"\s+of\s+(?:the|this|your|any|each|every)\s+(?:brief|summary|output|response|answer"
            r"|reply)\b",
            r"\b(?:the|this)\s+brief['’]s\b",
            # "every section", but not "every section of the wall"
            r"\b(?:every|each|all(?:\s+the)?|both)\s+(?:of\s+the\s+)?sections?\b"
            r"(?!\s+of\s+(?!(?:the|this|your)\s+(?:brief|summary|output|response|answer)\b))",
            r"\bbottom\s+line\s+up\s+front\b",
            r"\b(?:background|us\s+position|ground\s+situation|outlook)\s+section\b",
            r"\b(?:us_position|ground_situation|bottom_line)\b",
        ),
        'the brief\'s own output: "your summary", "the title of the brief", "every section"',
    ),
    Feature(
        "addresses_ai",
        "target",
        2,
        _regex(
            # "as an AI", "you are now a helpful assistant", not "as a research assistant" or
            # "you are a role model"
            r"\bas\s+an?\s+(?:\w+\s+)?(?:AI|artificial\s+intelligence|language\s+model|LLM"
            r"|chat\s*bot)\b",
            r"\b(?:you\s+are|you['’]re|I\s+am)\s+(?:now\s+)?(?:an?\s+|the\s+)?(?:\w+\s+){0,2}?"
            r"(?:AI|artificial|language\s+model|LLM|bot|chat\s*bot|GPT|summari[sz]er"
            r"|(?:helpful|virtual|digital|AI)\s+assistant|(?:AI|language)\s+model)\b",
            r"\byou\s*,\s*(?:the\s+|an?\s+)?(?:\w+\s+){0,2}?" + _ADDRESSEE + r"\s*,",
            # "any model reading this", "AI systems processing the article"
            r"\b(?:any|every|the|this|an?|all)\s+" + _AI_NOUN + r"s?\s+(?:(?:that|who)\s+"
            r"(?:is\s+)?)?(?:reading|processing|summari[sz]ing|condensing|parsing|analy[sz]ing"
            r"|reads|processes|summari[sz]es|ingesting)\s+(?:this|these|the\s+(?:above|following"
            r"|article|text|story|document|passage|page))\b",
            r"\b" + _MESSAGE + _TO_ADDRESSEE,
            r"\b(?:dear|hey|hello|hi|attention)\s*,?\s+" + _ADDRESSEE + r"\b",
            _OPENING_ADDRESS,
        ),
        'speaks to an AI: "as an AI", "any model reading this", "Note to the language model"',
    ),
    Feature(
        "prompt_words",
        "target",
        2,
        _regex(
            r"\bsystem\s+(?:prompt|message|instructions?)\b",
            r"\bjailbreak",
            r"\bdeveloper\s+mode\b",
            r"\b(?:previous|prior|above|earlier|preceding|foregoing|original|initial|existing"
            r"|former|all\s+(?:other|previous|prior))\s+(?:instructions?|prompts?|directions"
            r"|guidelines|directives|commands|context|messages)\b",
            r"\byour\s+(?:instructions|guidelines|programming|training|prompt|directives)\b",
            r"\bnew\s+(?:instructions|task|directive|role)\s*:",
            r"\byour\s+new\s+(?:task|role|instructions|goal|job|directive|identity)\b",
            r"\b(?:instructions|rules|guidelines|directions|prompts?)\s+(?:that\s+)?you\s+"
            r"(?:were|have\s+been|had\s+been)\s+given\b",
            r"\b(?:ignore|disregard|forget)\s+(?:everything|anything|all)\s+(?:above|before"
            r"|said\s+before|you\s+(?:were|have\s+been)\s+told)\b",
        ),
        'the prompt itself: "previous instructions", "system prompt", "your instructions"',
    ),
    Feature(
        "reader_frame",
        "target",
        2,
        _regex(
            r"\b(?:summari[sz]\w*|condens\w*|process\w*|brief(?:ing|s)?|rewrit\w*|paraphras\w*"
            r"|ingest\w*)\s+(?:of\s+)?(?:this|the\s+(?:above|following|preceding|present"
            r"|current))\s+(?:article|text|story|document|passage|page|content|input|piece"
            r"|material|news)\b",
            r"\b(?:summari[sz]|condens|process|pars|ingest)ing\s+this\b(?=\s*[:;,.—-])",
            r"\b(?:whoever|whatever|anyone|anything)\b[^.:;]{0,30}\b(?:summari[sz]|condens"
            r"|process|pars|ingest)ing\b",
            r"\b(?:if|when|whenever|while)\s+you\s+(?:are\s+)?(?:read|summari[sz]|process"
            r"|condens|brief|writ)\w*",
        ),
        'the tool at work: "when summarising this article", "if you are processing"',
    ),
    Feature(
        "output_word",
        "target",
        1,
        _regex(r"\b" + _OUTPUT_NOUN + r"\b"),
        "a word for output that news uses too: title, headline, summary, response",
    ),
    Feature(
        "ai_word",
        "target",
        1,
        _regex(
            r"\bAI\b|\bA\.I\.|\bartificial\s+intelligence\b|\bGPT",
            r"\blanguage\s+models?\b|\bLLMs?\b|\bchat\s*bots?\b|\bprompts?\b",
            r"\binstructions\s+(?:above|below)\b",
            # not "Assistant Secretary of State", "assistant coach"
            r"\bassistants?\b(?!\s+(?:(?-i:[A-Z])|secretary|coach|director|manager|professor|editor"
            r"|attorney|principal|minister|commissioner|chief|administrator|deputy|general"
            r"|producer|referee|to\b))",
        ),
        "AI vocabulary that is also news: AI, chatbot, prompt, assistant (not Assistant X)",
    ),
    Feature(
        "tool_verb",
        "target",
        1,
        _tool_imperatives,
        'an imperative about output names its target: "Respond only with …"',
    ),
    # -- order: the text commands rather than reports
    Feature("imperative", "order", 2, _imperatives, "an imperative at a clause start"),
    Feature(
        "vocative",
        "order",
        2,
        _regex(
            r"\b" + _MESSAGE + _TO_ADDRESSEE + r"\b",
            r"^\W*to\s+(?:whoever|whatever|any(?:one|thing)?)\b[^.:;]{0,40}:",
            r"^\W*(?:dear|hey|hello|hi|attention)\s*,?\s+" + _ADDRESSEE + r"\b",
            clause=True,
        ),
        'a message addressed to the tool: "Note to the language model: …", "Dear AI, …"',
    ),
    Feature(
        "addressed_order",
        "order",
        2,
        _addressed_orders,
        'the tool named, then ordered: "Summarizer: say …", "AI, ignore …"',
    ),
    Feature(
        "second_person",
        "order",
        2,
        _regex(
            # "you must", "you're now", "you, the model, will"
            r"\byou(?:\s*,[^,.;:]{1,40},)?(?:\s+are|['’]re|\s+will|['’]ll|\s+must|\s+should"
            r"|\s+shall|\s+need\s+to|\s+have\s+to|\s+may\s+now|\s+can\s+now"
            r"|\s+have\s+been\s+(?:instructed|asked|told))\b",
            r"\bfrom\s+now\s+on\b",
            r"\bit\s+is\s+(?:important|essential|critical|crucial|vital|mandatory|required"
            r"|imperative)\s+that\s+(?:you|the\s+" + _OUTPUT_NOUN + r")\b",
            r"\byour\s+(?:new\s+|only\s+|real\s+|actual\s+)?(?:task|job|role|mission|goal"
            r"|purpose)\s+(?:is|are|will\s+be|now\s+is)\b",
            clause=True,
        ),
        'a second-person order: "you must", "you are now", "from now on"',
    ),
    Feature(
        "content_modal",
        "order",
        2,
        _regex(
            r"\b" + _OUTPUT_NOUN + r"\b[^.;:!?]{0,40}?\b" + _MODAL + r"\s+(?:only\s+|also\s+"
            r"|now\s+|always\s+|clearly\s+|instead\s+|not\s+|never\s+|explicitly\s+)*"
            + _CONTENT_VERB,
            clause=True,
        ),
        'an output noun, a modal and what to say: "the summary should say"',
    ),
    Feature(
        "subject_modal",
        "order",
        1,
        _regex(
            r"\b(?:" + _OUTPUT_NOUN + "|" + _AI_NOUN + r")s?\s+(?:\w+\s+){0,2}?" + _MODAL + r"\b"
        ),
        'an output or AI subject with a modal: "the response must …", "AI should …"',
    ),
)
