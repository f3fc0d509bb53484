"""Emergency presentations recognised by meaning, for wording no phrase rule anticipates.

Each sentence (and each comma-separated clause) of a message is compared, by MiniLM sentence
similarity, with our example sentences per emergency category (``red_flag_examples.yml``). A
category is recognised when the mean of its ``top_k`` closest examples reaches the threshold,
unless the clause is clearly closer to one of its near misses (the file's ``not:`` lines, e.g.
heartburn after a spicy meal for a heart attack). Near misses veto only when clearly closer:
sentence embeddings cannot tell "wrist bent at an odd angle" from "sprained wrist" reliably, and
when unsure the safe error is to flag. Clauses that only deny something ("no vomiting", "denies chest
pain") are left out, because sentence embeddings barely register negation.

This adds to the phrase rules and the coded findings; it never removes anything they found, and
when the model is unavailable triage goes on without it.
"""

from __future__ import annotations

import logging
import re
import threading
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import numpy as np
import yaml

from assistant.nlu.findings.extractor import everyday_example_vectors

EXAMPLES_FILE = Path(__file__).parent / "red_flag_examples.yml"

#: The threshold keeps false alarms on our own non-emergency texts near 5%
#: (benchmarks/presentations_calibration.py); a near miss vetoes only when this much closer.
DEFAULT_THRESHOLD = 0.58
DEFAULT_VETO = 0.05
#: Shorter clauses ("she's had a cold", "normal wet nappies") carry too little meaning to match on.
MIN_CLAUSE_WORDS = 3
#: A clause at least this much closer to everyday complaints (the symptom examples in
#: ``examples.yml``: "been vomiting for 3 days", "my eye is red and sore") than to a category is an
#: everyday complaint, whatever its similarity to the category.
DEFAULT_EVERYDAY_MARGIN = 0.03

_SPLIT = re.compile(r"(?<=[.!?;])\s+|\n+")
_CLAUSE = re.compile(r",\s+|\s+-\s+|\s+(?:but|and now|and then|and)\s+")
_DENIAL = re.compile(
    r"^\s*(?:and\s+|or\s+)?(?:(?:no|not|nil|without|denies|denied|negative for|never|none|(?:has|have|had|with|got) no)\b"
    # ...but "no pulse", "not breathing" and "no wet nappies" report a sign, not its absence.
    r"(?!\s+(?:pulse|heartbeat|response|responding|reaction|breath\w*(?!\s+(?:problems?|difficult\w*|issues?|troubles?))|movement|moving|wet nappies|wee|pee|urine)\b)|"
    r"there (?:is|was|are|were) no\b|no signs? of\b|no history of\b|absent\b)|"
    # With a subject first: "she has no fever", "he denies chest pain"; not "he's not breathing"
    # or "she's never been this floppy", which report a sign.
    r"^\s*(?:and\s+|or\s+|but\s+)?(?:she|he|they|i|we|baby|the baby|the child|patient|pt)(?:'s|'ve)?\s+"
    r"(?:(?:has|have|had|got|reports?)\s+no|denies|denied|is negative for)\b|"
    # "I don't have a temperature", "my tummy isn't swollen", "I'm not being sick": a denial only
    # with a word that names a sign, since "he isn't breathing" or "my arm isn't working" reports one,
    # and "I haven't had the urge to wee" or "she doesn't have any feeling in her leg" is a sign too.
    r"^\s*(?:and\s+|or\s+|but\s+)?(?:she|he|they|i|we|it|baby|the baby|the child|(?:my|his|her|their|the) \w+)(?:'s|'m|'re)?\s+"
    r"(?:(?:do|does)n'?t\s+(?:have|got|get)\b(?!\s+(?:any\s+|much\s+|a\s+|the\s+)?(?:feeling|sensation|strength|movement|control|grip|power|pulse|urge|wet|wee|pee|poo|nappy|nappies|period|appetite))|"
    r"(?:(?:is|are|was|am)\s*n'?t|(?:is|are|was|am)?\s*not)\s+(?:at all\s+|very\s+|too\s+|really\s+|that\s+)?"
    r"(?:swollen|bloated|distended|red|hot|tender|painful|sore|bleeding|being sick|vomiting|feverish|dizzy|faint|sweaty|sweating|"
    r"worse|spreading|pale|blue|confused|drowsy|breathless|short of breath|in (?:much )?pain|bad|severe|hurting|raised|hard|stiff|"
    r"wheezy|wheezing|coughing|sick|unwell|struggling|floppy|lethargic)\b)|"
    r"^\s*(?:and\s+|or\s+|but\s+)?nothing\b",
    re.IGNORECASE,
)
_LIST_GOES_ON = re.compile(r"\b(?:or|nor)\b")
# A clause saying a problem has already settled ("bleeding has stopped", "back to normal now") is
# reassurance, not a presentation; sentence embeddings match it to the problem it names.
_SETTLED = re.compile(
    r"\b(?:bleeding|blood|it|swelling|pain)\s+(?:has\s+|had\s+|have\s+)?(?:now\s+)?(?:stopped|settled|eased|gone down|cleared)\b|"
    r"\bback to normal\b|"
    # ...or says what still works normally ("weeing ok", "feeding fine", "my last wee looked normal").
    r"\b(?:weeing|peeing|urinating|passing urine|drinking|eating|feeding|breathing|walking|talking|wee|pee|nappies)\w*"
    r"\s+(?:is\s+|are\s+|was\s+|seems?\s+|feels?\s+)?(?:totally\s+|completely\s+|absolutely\s+)?(?:ok|okay|fine|normal(?:ly)?|well|as usual|like normal)\b|"
    # ...or is getting better ("it's slowly easing"), or the bowel still works ("passing wind").
    r"\b(?:it'?s|its|it is|pain is|pain'?s|which is|and is)\s+(?:\w+\s+)?(?:easing|improving|settling|getting better)\b|\bpassing wind\b|"
    r"\b(?:looked|looks|looking)\s+(?:totally\s+|completely\s+|perfectly\s+)?(?:normal|fine)\b|"
    # ...or reports a measurement as normal ("temperature is normal", "obs normal", "sats fine").
    r"\b(?:temp(?:erature)?|obs|observations|sats|oxygen|vision|bloods?|pulse|bp)\s+(?:is\s+|was\s+|are\s+|were\s+|all\s+)?(?:normal|fine|ok|okay|stable)\b|"
    # ...or the bladder and bowels working ("bladder + bowels normal", "waterworks fine"), food
    # and drink kept down ("tolerating fluids"), or breathing that is not fast or laboured.
    r"\b(?:bladder|bowels?|waterworks|urine|stools?)(?:\s*(?:\+|&|and|/)\s*(?:bladder|bowels?))?\s+(?:is\s+|are\s+)?(?:normal|fine|ok|okay|unaffected|as usual)\b|"
    r"\btolerat\w*\s+(?:oral\s+)?(?:fluids|diet|food|drinks?|feeds?)\b|"
    r"\bnot breathing (?:fast|quickly|rapidly|hard|heavily|noisily)\b|"
    # ...or an ordinary remedy that helps ("paracetamol takes the edge off", "ibuprofen helps").
    r"\btakes? the edge off\b|\b(?:paracetamol|ibuprofen|painkillers?|gaviscon|antacids?|rennie)\s+(?:\w+\s+)?(?:helps?|helped|works?|worked|eases?|eased)\b|"
    # ...or one that does not help ("paracetamol not touching it"): it says how bad the pain is,
    # which the other clauses tell, and by meaning alone it reads like an overdose.
    r"\b(?:paracetamol|ibuprofen|painkillers?|calpol|nurofen|co-?codamol|gaviscon|antacids?)\s+(?:(?:is|are|was|were)\s+)?"
    r"(?:not|isn'?t|aren'?t|wasn'?t|doesn'?t|don'?t|didn'?t|hasn'?t|haven'?t|barely|hardly)\s+(?:really\s+|even\s+)?"
    r"(?:touch\w*|help\w*|work\w*|eas\w*|shift\w*|mak\w* (?:a|any|much) difference)",
    re.IGNORECASE,
)
# An ordinary dose that made the complaint go ("took paracetamol and it's gone now") is taken out
# of its sentence before the split: by meaning, "took paracetamol" alone reads like an overdose.
_REMEDY_WORKED = re.compile(
    r"\b(?:took|had|taken)\s+(?:a\s+|some\s+|two\s+|2\s+|a couple of\s+)?(?:paracetamol|ibuprofen|painkillers?|calpol|nurofen)\s+(?:and|n|&)\s+"
    r"(?:it'?s|its|it has|it|the \w+ (?:has|is))\s+(?:\w+\s+)?(?:gone|went|better|eased|settled|cleared)\b(?:\s+(?:now|away|off))?",
    re.IGNORECASE,
)


@dataclass(frozen=True)
class Presentation:
    category: str
    score: float
    text: str


@lru_cache(maxsize=1)
def load_categories(path: Path = EXAMPLES_FILE) -> dict[str, dict[str, tuple[str, ...]]]:
    if not path.exists():
        return {}
    document = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    out: dict[str, dict[str, tuple[str, ...]]] = {}
    for key, item in (document.get("categories") or {}).items():
        out[key] = {
            "examples": tuple(str(x) for x in item.get("examples", [])),
            "not": tuple(str(x) for x in item.get("not", [])),
        }
    return out


def clauses(text: str) -> list[str]:
    """Sentences, plus their clauses when a sentence has several; denials left out."""
    out: list[str] = []
    for sentence in _SPLIT.split(text):
        sentence = re.sub(r"[\s,]+([.!?]?)$", r"\1", _REMEDY_WORKED.sub(" ", sentence)).strip(" ,")
        if len(sentence.split()) < MIN_CLAUSE_WORDS:
            continue
        # Every clause is checked for a denial, the short ones too: "tolerating fluids, no
        # vomiting" must not be read whole as a sentence about vomiting.
        every = [p.strip() for p in _CLAUSE.split(sentence) if p.strip()]
        reassuring = []
        denying = False
        for part in every:
            # A denied list goes on through its "or": "no fever, headache or rash".
            denying = bool(_DENIAL.search(part)) or (denying and bool(_LIST_GOES_ON.search(part)))
            if denying or _SETTLED.search(part):
                reassuring.append(part)
        parts = [p for p in every if len(p.split()) >= MIN_CLAUSE_WORDS]
        kept = [p for p in parts if p not in reassuring]
        if not reassuring:
            out.append(sentence)
        if len(parts) > 1 or reassuring:
            out.extend(kept)
    return list(dict.fromkeys(out))


class PresentationMatcher:
    def __init__(
        self,
        threshold: float = DEFAULT_THRESHOLD,
        veto: float = DEFAULT_VETO,
        top_k: int = 3,
        everyday_margin: float = DEFAULT_EVERYDAY_MARGIN,
    ) -> None:
        self.threshold = threshold
        self.veto = veto
        self.everyday_margin = everyday_margin
        self._everyday: np.ndarray = np.zeros((0, 1))
        self.top_k = top_k
        self._lock = threading.Lock()
        self._encoder = None
        self._positive: dict[str, np.ndarray] = {}
        self._negative: dict[str, np.ndarray] = {}

    def _ready(self):  # type: ignore[no-untyped-def]
        if self._encoder is None:
            with self._lock:
                if self._encoder is None:
                    from retrieval.encoder import shared_encoder

                    encoder = shared_encoder()
                    categories = load_categories()
                    texts: list[str] = []
                    spans: dict[str, tuple[int, int, int]] = {}
                    for key, item in categories.items():
                        start = len(texts)
                        texts.extend(item["examples"])
                        middle = len(texts)
                        texts.extend(item["not"])
                        spans[key] = (start, middle, len(texts))
                    matrix = encoder.encode_cached(texts, "red-flag-examples") if texts else np.zeros((0, 1))
                    self._positive = {k: matrix[a:b] for k, (a, b, _) in spans.items()}
                    self._negative = {k: matrix[b:c] for k, (_, b, c) in spans.items()}
                    self._everyday = everyday_example_vectors()
                    self._encoder = encoder
        return self._encoder

    def scores(self, text: str) -> list[tuple[str, float, float, str, float]]:
        parts = clauses(text)
        if not parts:
            return []
        return self.scores_of(parts, self._ready().encode(parts))

    def scores_of(self, parts: list[str], vectors: np.ndarray) -> list[tuple[str, float, float, str, float]]:
        """(category, score, best near-miss similarity, clause, everyday similarity) for the best
        clause of each category, given the clauses' sentence vectors; the everyday similarity is
        the same top-k mean over the everyday complaint examples."""
        if not parts:
            return []
        self._ready()
        if len(self._everyday):
            k_everyday = min(self.top_k, self._everyday.shape[0])
            everyday = np.sort(vectors @ self._everyday.T, axis=1)[:, -k_everyday:].mean(axis=1)
        else:
            everyday = np.full(len(parts), -1.0)
        best: dict[str, tuple[str, float, float, str, float]] = {}
        for key, positive in self._positive.items():
            if not len(positive):
                continue
            similarity = vectors @ positive.T  # clauses x examples
            k = min(self.top_k, positive.shape[0])
            top = np.sort(similarity, axis=1)[:, -k:].mean(axis=1)
            negative = self._negative.get(key)
            near = (vectors @ negative.T).max(axis=1) if negative is not None and len(negative) else np.full(len(parts), -1.0)
            i = int(top.argmax())
            best[key] = (key, float(top[i]), float(near[i]), parts[i], float(everyday[i]))
        return sorted(best.values(), key=lambda item: -item[1])

    def _decide(self, scored: list[tuple[str, float, float, str, float]]) -> list[Presentation]:
        return [
            Presentation(key, score, clause)
            for key, score, near, clause, everyday in scored
            if score >= self.threshold and near < score + self.veto and everyday < score + self.everyday_margin
        ]

    def match(self, text: str) -> list[Presentation]:
        return self._decide(self.scores(text))

    def match_vectors(self, parts: list[str], vectors: np.ndarray) -> list[Presentation]:
        return self._decide(self.scores_of(parts, vectors))


_matcher = PresentationMatcher()


def recognise(text: str) -> list[Presentation]:
    """Emergency presentations in ``text`` (empty when the model is unavailable)."""
    try:
        return _matcher.match(text)
    except Exception:  # noqa: BLE001 - phrase rules and findings still decide
        return []


def recognise_vectors(parts: list[str], vectors: np.ndarray) -> list[Presentation]:
    """``recognise`` for clauses already embedded (one batched model call serves several matchers)."""
    try:
        return _matcher.match_vectors(parts, vectors)
    except Exception:  # noqa: BLE001 - phrase rules and findings still decide
        return []


def warm_up() -> None:
    try:
        _matcher._ready()
    except Exception:
        logging.getLogger(__name__).warning("presentation matcher unavailable at start-up", exc_info=True)
