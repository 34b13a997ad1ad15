"""An answer written one value at a time (``model/stepwise.py``): llama.cpp's /apply-template
and /v1/completions, replayed by the scripted server with the real ``openai`` client."""

from __future__ import annotations

import json
from itertools import pairwise
from typing import Any

import pytest

from briefer import load_article
from briefer.brief import model_answer
from briefer.config import load_settings
from briefer.model import stepwise
from briefer.model.llm import ChatModel
from briefer.models import Usage
from briefer.pipeline import Briefer
from briefer.render.render import Renderer
from briefer.text.line_filters import is_content
from briefer.text.sentences import split_sentences

from .conftest import SEED, filed_answer
from .scripted_server import ScriptedServer

SENTENCES = [s for s in split_sentences(SEED.read_text()) if is_content(s)]
MESSAGES = [{"role": "system", "content": "Be brief."}, {"role": "user", "content": "File it."}]


def _model(server: ScriptedServer, **settings: Any) -> ChatModel:
    values = {"base_url": server.base_url, "model": "m", "grammar": True, "stepwise": True}
    return ChatModel(load_settings({**values, **settings, "max_retries": 0}, environ={}))


def _ask(model: ChatModel, schema: dict[str, Any], usage: Usage | None = None) -> Any:
    return model.complete_json(
        MESSAGES, schema, name="FiledSentences", max_tokens=2000, usage=usage or Usage()
    )


def test_an_answer_is_written_value_by_value_after_the_answer_so_far(
    server: ScriptedServer,
) -> None:
    answer = filed_answer(SEED)
    server.steps = answer
    schema = model_answer.schema(SENTENCES, bounded=True)
    usage = Usage()
    progress: list[str] = []
    model = _model(server)
    content, finish = model.complete_json(
        MESSAGES, schema, name="F", max_tokens=2000, usage=usage, progress=progress.append
    )
    assert finish == "stop" and content is not None
    assert json.loads(content) == answer
    assert model_answer.parse(content, SENTENCES).sections  # the pipeline reads it as before
    calls = server.completions
    # Title and bottom line in one step, then one token for each sentence's section: the
    # keys and the punctuation are read, never written.
    assert len(calls) == 1 + len(SENTENCES)
    assert [c["max_tokens"] for c in calls[1:]] == [1] * len(SENTENCES)
    # Each call's prompt is the one before it with what was written since, so that the
    # server's prompt cache reads only the new text.
    for before, after in pairwise(calls):
        assert after["prompt"].startswith(before["prompt"])
        assert after["cache_prompt"] is True and "root ::=" in after["grammar"]
    # The first value is written with the text before it, as it begins in one call.
    assert calls[0]["grammar"].startswith('root ::= "{" ws "\\"title\\"" ws ":" ws')
    key = model_answer.key(SENTENCES[0])
    assert calls[1]["prompt"].endswith(f', "{key}": "')
    # One call to the pipeline. Of llama.cpp's timings (10 ms reading, 5 ms writing a call),
    # reading the prompt is the first call's; the later calls read the answer's keys, which
    # is the answer's time (the dry run's speed per answer token).
    assert usage.calls == 1 and usage.completion_tokens > 0
    assert model.timings.calls == 1 and model.timings.prompt_ms == 10.0
    assert model.timings.predicted_ms == 5.0 + 15.0 * len(SENTENCES)
    assert progress[0].startswith("Reading the article") and "Filing: 1 of" in progress[1]


def test_a_first_token_that_two_values_share_takes_another_step(server: ScriptedServer) -> None:
    # Written for the test: "outlook" and "other" begin alike, as a one-character token shows.
    sentences = SENTENCES[:3]
    labels = {sentences[0].id: "outlook", sentences[1].id: "other", sentences[2].id: "background"}
    answer = filed_answer(SEED, labels)
    answer = {k: v for k, v in answer.items() if k in model_answer.schema(sentences)["properties"]}
    server.steps, server.step_piece = answer, 1
    content, _ = _ask(_model(server), model_answer.schema(sentences))
    assert json.loads(content) == answer
    one_token = [c for c in server.completions if c["max_tokens"] == 1]
    # "o", then "u" or "t" tells outlook from other; "b" alone is background.
    assert len(one_token) == 2 + 2 + 1


def test_an_answer_of_sections_only_begins_with_the_model_s_own_key(
    server: ScriptedServer,
) -> None:
    # A long text's part: no title or bottom line. The model writes the opening and the first
    # key (its layout is then kept); every later key is read.
    schema = model_answer.schema(SENTENCES[:4], headline=False)
    answer = {k: v for k, v in filed_answer(SEED).items() if k in schema["properties"]}
    server.steps = answer
    content, _ = _ask(_model(server), schema)
    assert json.loads(content) == answer
    first, *labels = server.completions
    assert first["max_tokens"] > 1 and first["grammar"].startswith('root ::= "{" ws "\\"S1')
    assert [c["max_tokens"] for c in labels] == [1] * 4


def test_the_keys_read_keep_the_spaces_the_model_wrote() -> None:
    # Written for the test: the model put a space before the colon and none after it.
    assert stepwise._layout('{"title": "x", "S2 The talks" :"', (" ", "", " ")) == (" ", " ", "")
    assert stepwise._layout('{"title": "x","S2 \\"A\\"":"', (" ", "", " ")) == ("", "", "")


def test_the_keys_read_are_laid_out_as_the_model_wrote_its_own(server: ScriptedServer) -> None:
    # Written for the test: a model that puts a space before the colon and none after it.
    answer = filed_answer(SEED)
    server.steps, server.step_colon = answer, " :"
    content, _ = _ask(_model(server), model_answer.schema(SENTENCES))
    assert json.loads(content) == answer
    key = model_answer.key(SENTENCES[1])
    assert server.completions[2]["prompt"].endswith(f', "{key}" :"')


def test_a_step_gone_astray_asks_that_answer_in_one_call(
    server: ScriptedServer, tmp_path: Any
) -> None:
    from briefer.model.answer_cache import AnswerCache

    answer = filed_answer(SEED)
    server.steps, server.step_astray = answer, 1
    server.add_json(answer)  # the one call
    model = _model(server)
    model.cache = AnswerCache(tmp_path)
    schema = model_answer.schema(SENTENCES)
    assert json.loads(_ask(model, schema)[0]) == answer
    assert len(server.chat_requests) == 1
    # The next answer is written stepwise again, and the one-call answer was filed as one
    # call's: a stepwise model does not get it back from the cache.
    calls = len(server.completions)
    assert json.loads(_ask(model, schema)[0]) == answer
    assert len(server.completions) == calls + 1 + len(SENTENCES)
    one_call = _model(server, stepwise=False)
    one_call.cache = AnswerCache(tmp_path)
    assert json.loads(_ask(one_call, schema)[0]) == answer
    assert len(server.chat_requests) == 1  # from the cache


def test_a_value_cut_at_max_tokens_is_a_cut_answer(server: ScriptedServer) -> None:
    server.steps, server.step_cut = filed_answer(SEED), 5
    content, finish = _ask(_model(server), model_answer.schema(SENTENCES))
    assert finish == "length" and content == '{ "ti'


def test_a_server_without_the_template_endpoint_is_asked_in_one_call(
    server: ScriptedServer,
) -> None:
    answer = filed_answer(SEED)
    server.add_json(answer)
    server.add_json(answer)
    model = _model(server)
    schema = model_answer.schema(SENTENCES)
    assert json.loads(_ask(model, schema)[0]) == answer
    assert json.loads(_ask(model, schema)[0]) == answer
    # Asked once for the template (404), then chat completions only, the grammar sent.
    assert [r["path"] for r in server.requests].count("/apply-template") == 1
    assert len(server.chat_requests) == 2 and "grammar" in server.chat_requests[0]
    assert not server.completions


def test_only_schemas_of_strings_and_enums_are_written_stepwise(server: ScriptedServer) -> None:
    assert stepwise.fits(model_answer.schema(SENTENCES, bounded=True))
    assert not stepwise.fits({"type": "object", "properties": {"a": {"type": "array"}}})
    assert not stepwise.fits({"type": "object", "properties": {"n": {"type": "integer"}}})
    assert not stepwise.fits({"type": "object", "properties": {}})
    assert not stepwise.fits({"type": "array", "items": {"type": "string"}})
    # A long text's headline call (strings only) gains nothing: one call.
    assert not stepwise.fits(model_answer.schema([], bounded=True))
    # Not asked for: without the grammar (another server) or when turned off.
    server.add_json({"n": [1]})
    server.add_json(filed_answer(SEED))
    _ask(_model(server), {"type": "object", "properties": {"n": {"type": "array"}}})
    _ask(_model(server, stepwise=False), model_answer.schema(SENTENCES))
    assert not [r for r in server.requests if r["path"] == "/apply-template"]


def test_a_brief_written_stepwise_is_the_brief_of_the_same_answer_in_one_call(
    server: ScriptedServer, tmp_path: Any
) -> None:
    article = load_article(str(SEED))
    answer = filed_answer(SEED)
    server.add_json(answer)
    settings = {"base_url": server.base_url, "model": "m", "grammar": True, "max_retries": 0}
    one = Briefer(load_settings({**settings, "stepwise": False}, environ={})).brief(article)
    server.steps = answer
    steps = Briefer(load_settings({**settings, "stepwise": True}, environ={})).brief(article)
    assert len(server.completions) == 1 + len(SENTENCES)
    renderer = Renderer()

    def body(brief: Any) -> str:
        return renderer.markdown(brief).split("<!-- briefer-meta")[0]

    assert body(steps) == body(one)
    assert steps.meta.usage.calls == one.meta.usage.calls == 1


@pytest.mark.parametrize("cut", [None, 3])
def test_a_stepwise_answer_is_cached_apart_and_reused(
    server: ScriptedServer, tmp_path: Any, cut: int | None
) -> None:
    from briefer.model.answer_cache import AnswerCache

    server.steps, server.step_cut = filed_answer(SEED), cut
    model = _model(server)
    model.cache = AnswerCache(tmp_path)
    first = _ask(model, model_answer.schema(SENTENCES))
    calls = len(server.completions)
    second = _ask(model, model_answer.schema(SENTENCES))
    assert first == second
    # A whole answer is kept and read back; a cut one is asked again.
    assert len(server.completions) == (calls if cut is None else 2 * calls)
