"""Align a dialogue line's phones to speech: Viterbi over the teacher's phone posteriors.

The line becomes a left-to-right chain of states, one per phone (each phone `MIN_FRAMES`
states long, so it lasts at least that many 10 ms frames), with a *gap* state before, between
and after the words. A gap holds silence or speech the line does not have (ad-libs, another
take's extra words): its score is the better of the silence posterior and the best posterior of
any phone less GARBAGE_PENALTY, so the words must fit the audio better than "anything" does to
be placed. A gap may be skipped (words run together), and a word may be skipped at a cost
(WORD_SKIP_PENALTY: a word of the line that is not spoken).

Each placed word gets a *fit*: the mean, over its phones, of the mean log ratio of the aligned
phone's posterior to the best phone's posterior in its frames (0: every frame's best phone is
the aligned one). A word of another line can fit by chance, mostly a short one, alone among
skipped words, so the *confidence* is exp of the fit averaged with the word's neighbours in the
line (weighted by phones, a skipped neighbour counting SKIPPED_FIT): right text gives runs of
fitting words. Words under a confidence threshold are not trusted (core.transcript.take falls
back to the model there). Numpy only; O(frames x states).
"""

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from ..phones.phone_set import SILENCE, Phone
from .lexicon import Pronunciation

FRAME_S = 0.01  # the teacher's frame hop: frame j is the audio around j * FRAME_S
MIN_FRAMES = 2  # states per phone: no phone is shorter than 20 ms
GARBAGE_PENALTY = 3.0  # nats per frame an unscripted stretch pays against the best phone
WORD_SKIP_PENALTY = 8.0  # nats for a word of the line that is not heard
MAX_CELLS = 150_000_000  # frames x states = bytes of back-pointers: about 4 minutes of speech
SKIPPED_FIT = -6.0  # the fit a skipped word lends its neighbours' confidence
NEIGHBOURS = 1  # words either side that share in a word's confidence


@dataclass(frozen=True)
class AlignedWord:
    """One word of the line: where it was placed and how well it fits the audio."""

    word: str
    from_lexicon: bool
    phones: tuple[Phone, ...]  # empty when the word was skipped
    confidence: float  # 0..1, 0 for a skipped word
    fit: float = SKIPPED_FIT  # mean log posterior ratio of its phones (0 best)

    @property
    def start_s(self) -> float:
        return self.phones[0].start_s if self.phones else float("nan")

    @property
    def end_s(self) -> float:
        return self.phones[-1].end_s if self.phones else float("nan")


@dataclass(frozen=True)
class Alignment:
    """The words of a line placed on the audio, and what fills the frames between them."""

    words: tuple[AlignedWord, ...]
    unscripted: np.ndarray  # (T,) bool: frames of speech the line has no word for
    n_frames: int
    too_long: bool = False  # frames x states past MAX_CELLS: not aligned at all


def log_softmax(logits: np.ndarray) -> np.ndarray:
    """Log posteriors (T, P) of logits (T, P)."""
    shifted = logits - logits.max(axis=1, keepdims=True)
    return shifted - np.log(np.exp(shifted).sum(axis=1, keepdims=True))


def _frame_time(frame: int) -> float:
    return max(0.0, (frame - 0.5) * FRAME_S)


class _Chain:
    """The state chain of a line: column of the emission per state, the extra predecessor of
    each state (a skip) and its cost, which states may start and end the path."""

    def __init__(self, words: Sequence[tuple[int, ...]], gap_column: int):
        columns, extra, extra_cost, owner = [gap_column], [-1], [0.0], [-1]  # G_0
        self.word_states: list[tuple[int, int]] = []  # [first, last] state of each word
        for k, phones in enumerate(words):
            first = len(columns)
            for n, phone in enumerate(phones):
                for m in range(MIN_FRAMES):
                    columns.append(phone)
                    owner.append(k)
                    is_word_start = n == 0 and m == 0 and k > 0
                    extra.append(first - 2 if is_word_start else -1)  # gap skipped
                    extra_cost.append(0.0)
            self.word_states.append((first, len(columns) - 1))
            columns.append(gap_column)  # G_{k+1}; reached from G_k by skipping word k
            extra.append(first - 1)
            extra_cost.append(-WORD_SKIP_PENALTY)
            owner.append(-1)
        self.columns = np.array(columns)
        self.extra = np.array(extra)
        self.extra_cost = np.where(self.extra >= 0, extra_cost, -np.inf)
        self.owner = np.array(owner)
        self.starts = [0] + ([self.word_states[0][0]] if words else [])
        self.ends = [len(columns) - 1] + ([self.word_states[-1][1]] if words else [])


def _viterbi(scores: np.ndarray, chain: _Chain) -> np.ndarray | None:
    """Best state path (T,) through the chain for per-column scores (T, P + 1); None if none
    fits. A state's score is its column's; rows are gathered frame by frame, so memory is the
    int8 back-pointers (T, S) alone."""
    n_frames, n_states = len(scores), len(chain.columns)
    back = np.zeros((n_frames, n_states), np.int8)  # 0 stay, 1 from s - 1, 2 the skip
    score = np.full(n_states, -np.inf)
    score[chain.starts] = scores[0, chain.columns[chain.starts]]
    extra = np.maximum(chain.extra, 0)
    moved = np.empty(n_states)
    for t in range(1, n_frames):
        moved[0] = -np.inf
        moved[1:] = score[:-1]
        skipped = score[extra] + chain.extra_cost
        choice = (moved > score).astype(np.int8)
        best = np.maximum(score, moved)
        take_skip = skipped > best
        choice[take_skip] = 2
        score = np.where(take_skip, skipped, best) + scores[t, chain.columns]
        back[t] = choice
    end = chain.ends[int(np.argmax(score[chain.ends]))]
    if not np.isfinite(score[end]):
        return None
    path = np.empty(n_frames, np.int64)
    state = end
    for t in range(n_frames - 1, -1, -1):
        path[t] = state
        step = back[t, state]
        state = state if step == 0 else state - 1 if step == 1 else chain.extra[state]
    return path


def _word_phones(frames: np.ndarray, states: np.ndarray, labels: Sequence[str]) -> list:
    """(label, first frame, last frame) per phone of one word's frames, merging sub-states."""
    spans = []
    for frame, state in zip(frames, states, strict=True):
        phone = state // MIN_FRAMES
        if spans and spans[-1][0] == phone:
            spans[-1][2] = frame
        else:
            spans.append([phone, frame, frame])
    return [(labels[p], first, last) for p, first, last in spans]


def align_words(
    log_posteriors: np.ndarray, phone_set: Sequence[str], words: Sequence[Pronunciation]
) -> Alignment:
    """Place the words on frames of phone log posteriors (T, P) over phone_set (holding SIL)."""
    n_frames = len(log_posteriors)
    index = {name: i for i, name in enumerate(phone_set)}
    words = [w for w in words if w.phones]
    best = log_posteriors.max(axis=1)  # (T,)
    silence = log_posteriors[:, index[SILENCE]]
    gap = np.maximum(silence, best - GARBAGE_PENALTY)
    unscripted_frame = silence < best - GARBAGE_PENALTY
    skipped = tuple(AlignedWord(w.word, w.from_lexicon, (), 0.0) for w in words)
    chain = _Chain([tuple(index[p] for p in w.phones) for w in words], len(phone_set))
    if not words:
        return Alignment((), np.zeros(n_frames, bool), n_frames)
    if n_frames * len(chain.columns) > MAX_CELLS:
        return Alignment(skipped, unscripted_frame, n_frames, too_long=True)
    scores = np.concatenate([log_posteriors, gap[:, None]], axis=1).astype(np.float64)
    path = _viterbi(scores, chain)
    if path is None:
        return Alignment(skipped, unscripted_frame, n_frames)
    owner = chain.owner[path]  # (T,) word index, -1 in a gap
    placed = []
    for k, word in enumerate(words):
        frames = np.flatnonzero(owner == k)
        if len(frames) == 0:
            placed.append(skipped[k])
            continue
        local = path[frames] - chain.word_states[k][0]
        spans = _word_phones(frames, local, word.phones)
        ratios = [
            np.mean(log_posteriors[a : b + 1, index[label]] - best[a : b + 1])
            for label, a, b in spans
        ]
        phones = tuple(Phone(_frame_time(a), _frame_time(b + 1), label) for label, a, b in spans)
        placed.append(
            AlignedWord(word.word, word.from_lexicon, phones, 0.0, float(np.mean(ratios)))
        )
    unscripted = (owner == -1) & unscripted_frame
    return Alignment(tuple(_with_confidence(placed)), unscripted, n_frames)


def _with_confidence(words: list[AlignedWord]) -> list[AlignedWord]:
    """Placed words get exp of the phone-weighted mean fit of themselves and their neighbours."""
    fits = np.array([w.fit for w in words])
    weights = np.array([max(len(w.phones), MIN_FRAMES) for w in words], np.float64)
    out = []
    for k, word in enumerate(words):
        if not word.phones:
            out.append(word)
            continue
        near = slice(max(0, k - NEIGHBOURS), k + NEIGHBOURS + 1)
        shared = np.sum(fits[near] * weights[near]) / np.sum(weights[near])
        out.append(
            AlignedWord(word.word, word.from_lexicon, word.phones, float(np.exp(shared)), word.fit)
        )
    return out
