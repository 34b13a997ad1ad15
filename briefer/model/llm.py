"""The one way briefer talks to a model: the ``openai`` client, any OpenAI-compatible endpoint.

Structured output is asked for with ``response_format`` ``json_schema``; servers that reject it
(llama-cpp-python answers HTTP 500) get ``json_object`` plus the schema instead, remembered for the
rest of the run. An answer that is not valid JSON for the schema is quoted back once; a second
failure is a clean ``ModelOutputError``. Every request goes through the model's ``Fleet``
(fleet.py): one or several servers, a bounded and adaptive number of requests in flight, and the
retries on 429, 5xx, timeouts and refused connections (``max_retries``; the ``openai`` client's
own are off, as they would neither adapt nor move to another server).
"""

from __future__ import annotations

import json
import re
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, TypeVar

import httpx
import openai

from briefer import errors
from briefer.config import OPENAI_BASE_URL, OPENAI_DEFAULT_MODEL, Settings, redact_url, split_urls
from briefer.model import stepwise
from briefer.model.answer_cache import AnswerCache, answer_key
from briefer.model.batch import RequestCollector
from briefer.model.fleet import Failure, Fleet, retry_after
from briefer.model.grammar import schema_to_gbnf
from briefer.model.speed import Timings
from briefer.models import Usage

T = TypeVar("T")
Progress = Callable[[str], None]

_FENCE = re.compile(r"^\s*```(?:json)?\s*(.*?)\s*```\s*$", re.DOTALL)


@dataclass(frozen=True)
class Endpoint:
    base_url: str
    api_key: str
    model: str | None
    #: Every server of a fleet (``base_url`` is the first).
    base_urls: tuple[str, ...] = ()

    @property
    def identity(self) -> str:
        """What the answer cache knows the endpoint by: its URL, or a fleet's sorted URLs (the
        same model on the same servers, in any order); ``endpoint_id`` overrides it."""
        urls = self.base_urls or (self.base_url,)
        return urls[0] if len(urls) == 1 else ",".join(sorted(urls))


def resolve_endpoint(settings: Settings) -> Endpoint:
    """Which server to talk to, from settings alone (no network)."""
    key = settings.api_key.get_secret_value() if settings.api_key else None
    if urls := split_urls(settings.base_url):
        # Local servers (llama.cpp, vLLM, Ollama) ignore the key, but the client requires one.
        return Endpoint(urls[0], key or "not-needed", settings.model, tuple(urls))
    if key:
        return Endpoint(OPENAI_BASE_URL, key, settings.model or OPENAI_DEFAULT_MODEL)
    raise errors.ConfigError(
        "no model endpoint configured",
        hint="pass --base-url URL (and --model), or set OPENAI_BASE_URL or OPENAI_API_KEY, "
        "or put base_url in the config file; see `briefer brief --help`",
    )


def map_api_error(exc: openai.OpenAIError, endpoint: str) -> errors.BrieferError:
    """Turn an ``openai`` exception into briefer's error with a what-to-do hint."""
    if isinstance(exc, openai.APITimeoutError):
        return errors.EndpointUnreachableError(
            f"model endpoint {endpoint} timed out", hint="raise --timeout or check the server"
        )
    if isinstance(exc, openai.APIConnectionError):
        return errors.EndpointUnreachableError(
            f"cannot reach the model endpoint {endpoint}",
            hint="check that the server is running and --base-url is right",
        )
    if isinstance(exc, openai.AuthenticationError | openai.PermissionDeniedError):
        return errors.AuthenticationError(
            f"the endpoint {endpoint} rejected the API key (HTTP {exc.status_code})",
            hint="check --api-key or OPENAI_API_KEY",
        )
    if isinstance(exc, openai.NotFoundError):
        return errors.EndpointError(
            f"the endpoint {endpoint} answered 404: {_short(exc)}",
            hint="check --model and that --base-url ends in /v1",
        )
    if isinstance(exc, openai.RateLimitError):
        return errors.RateLimitError(
            f"the endpoint {endpoint} kept rate-limiting (HTTP 429) after retries",
            hint="wait and try again, or check your quota",
        )
    if isinstance(exc, openai.APIStatusError):
        return errors.EndpointError(
            f"the endpoint {endpoint} answered HTTP {exc.status_code}: {_short(exc)}",
            hint="check the server's log",
        )
    return errors.EndpointError(f"model request failed: {_short(exc)}")


def classify(exc: Exception) -> Failure | None:
    """What a failed request says of its server, for the fleet; None: not worth retrying."""
    if isinstance(exc, openai.APITimeoutError):
        return Failure("retry")  # slow, not gone
    if isinstance(exc, openai.APIConnectionError):
        return Failure("down")
    if isinstance(exc, openai.APIStatusError):
        status = exc.status_code
        wait = retry_after(exc.response.headers)
        if status in (429, 503):
            return Failure("busy", wait)
        if status in (408, 409) or status >= 500:
            return Failure("retry", wait)
    return None


def _short(exc: BaseException, limit: int = 160) -> str:
    text = " ".join(str(exc).split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


def load_json_answer(content: str | None) -> Any:
    """The JSON value of a model answer; code fences around it are tolerated."""
    if not content or not content.strip():
        raise ValueError("the answer was empty")
    text = content.strip()
    if match := _FENCE.match(text):
        text = match.group(1)
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        raise ValueError(
            f"the answer is not valid JSON ({exc.msg} at character {exc.pos})"
        ) from exc


class ChatModel:
    """A chat model behind an OpenAI-compatible endpoint."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        endpoint = resolve_endpoint(settings)
        urls = endpoint.base_urls or (endpoint.base_url,)
        #: The endpoint's identity for the answer cache (one URL, or a fleet's sorted URLs).
        self.base_url = endpoint.identity
        #: Where the endpoint is, without credentials: for messages, meta and reports.
        self.display_url = ", ".join(redact_url(u) for u in urls)
        # Retries are the fleet's: adaptive, Retry-After-aware, and to another server.
        clients = [
            openai.OpenAI(
                base_url=url, api_key=endpoint.api_key, timeout=settings.timeout, max_retries=0
            )
            for url in urls
        ]
        self.client = clients[0]
        self.fleet: Fleet[openai.OpenAI] = Fleet(
            list(zip(urls, clients, strict=True)),
            concurrency=settings.concurrency or (1 if settings.grammar else 4),
            retries=settings.max_retries,
        )
        self._model = endpoint.model
        self.response_format = "json_schema"
        self._max_tokens_param = "max_tokens"
        # llama.cpp's server takes a GBNF grammar, which keeps the JSON compact (see grammar.py).
        self.use_grammar = settings.grammar
        # With the grammar, a filing answer's keys are read as prompt and only its values
        # written (stepwise.py): fewer decoding steps on a CPU.
        self.stepwise = bool(settings.grammar and settings.stepwise)
        self.cache: AnswerCache | None = None
        #: Set for the Batch API: a request the cache cannot answer is collected, not sent.
        self.collector: RequestCollector | None = None
        #: llama.cpp's own timings of the answers, for the embedded model's speed (speed.py).
        self.timings = Timings()

    @property
    def model(self) -> str:
        """The model name; asked of the server (``/v1/models``) when it serves exactly one."""
        if self._model is None:
            try:
                names = self.fleet.call(lambda c: [m.id for m in c.models.list()], classify)
            except openai.OpenAIError as exc:
                raise map_api_error(exc, self.display_url) from exc
            if len(names) != 1:
                raise errors.ConfigError(
                    f"no model named and the endpoint serves {len(names)}: {', '.join(names[:8])}",
                    hint="pass --model or set BRIEFER_MODEL",
                )
            self._model = names[0]
        return self._model

    def _response_format(self, schema: dict[str, Any], name: str) -> dict[str, Any]:
        if self.response_format == "json_schema":
            return {
                "type": "json_schema",
                "json_schema": {"name": name, "schema": schema, "strict": True},
            }
        return {"type": "json_object", "schema": schema}

    @property
    def slots(self) -> int:
        """Most requests in flight at once (every server's concurrency): work beyond it waits."""
        return self.fleet.slots

    def _create(
        self,
        client: openai.OpenAI,
        messages: list[dict[str, str]],
        schema: dict[str, Any],
        name: str,
        max_tokens: int,
        **extra: Any,
    ) -> Any:
        kwargs = {**extra, **self.request_kwargs(messages, schema, name, max_tokens)}
        return client.chat.completions.create(**kwargs)

    def request_kwargs(
        self, messages: list[dict[str, str]], schema: dict[str, Any], name: str, max_tokens: int
    ) -> dict[str, Any]:
        """The ``chat.completions.create`` arguments of one request (also a batch line's body)."""
        kwargs: dict[str, Any] = {
            "model": self.model,
            "messages": messages,
            "temperature": self.settings.temperature,
            self._max_tokens_param: max_tokens,
        }
        if self.use_grammar:
            kwargs["extra_body"] = {"grammar": schema_to_gbnf(schema)}
        else:
            kwargs["response_format"] = self._response_format(schema, name)
        if self.settings.seed is not None:
            kwargs["seed"] = self.settings.seed
        return kwargs

    def count_tokens(self, messages: list[dict[str, str]]) -> int | None:
        """Exact prompt tokens from llama.cpp's ``/tokenize`` (plus chat-template overhead);
        None where the server has no such endpoint."""
        if not self.use_grammar:
            return None
        text = "\n".join(m["content"] for m in messages)
        # Any server of a fleet will do (the same model): the first not set aside.
        url = next((s.url for s in self.fleet.servers if not s.down), self.fleet.servers[0].url)
        try:
            response = httpx.post(
                f"{url.removesuffix('/v1')}/tokenize", json={"content": text}, timeout=30
            )
            response.raise_for_status()
            return len(response.json()["tokens"]) + 8 * len(messages)
        except (httpx.HTTPError, ValueError, KeyError):
            return None

    def complete_json(
        self,
        messages: list[dict[str, str]],
        schema: dict[str, Any],
        *,
        name: str,
        max_tokens: int,
        usage: Usage,
        progress: Progress | None = None,
    ) -> tuple[str | None, str | None]:
        """One structured-output request; returns (content, finish_reason)."""
        steps = self._steps(schema)

        def cache_key(written_stepwise: bool) -> str:
            return answer_key(
                endpoint=self.settings.endpoint_id or self.base_url,
                model=self.model,
                messages=messages,
                schema=schema,
                temperature=self.settings.temperature,
                seed=self.settings.seed,
                max_tokens=max_tokens,
                grammar=self.use_grammar,
                # An answer written step by step may differ from one call's: cached apart.
                **({"stepwise": True} if written_stepwise else {}),
            )

        key = ""
        if self.cache is not None:
            key = cache_key(steps)
            if (hit := self.cache.get(key)) is not None:
                usage.add(hit["prompt_tokens"], hit["completion_tokens"], cached=True)
                return hit["content"], hit["finish_reason"]
        if self.collector is not None:
            if self.cache is None:
                raise AssertionError("collecting batch requests needs the answer cache")
            kwargs = self.request_kwargs(messages, schema, name, max_tokens)
            # The batch line's body is what the client would send: extra_body merged in.
            self.collector.collect(key, {**kwargs.pop("extra_body", {}), **kwargs})
        before = (usage.prompt_tokens, usage.completion_tokens)
        started = time.monotonic()
        try:
            content, finish, written_stepwise = self._request(
                messages, schema, name, max_tokens, usage, progress, steps=steps
            )
        finally:
            usage.model_seconds += time.monotonic() - started
        if self.cache is not None and finish != "length":
            self.cache.put(
                # Asked in one call after all (the server cannot, or a step went astray).
                key if written_stepwise == steps else cache_key(written_stepwise),
                {
                    "content": content,
                    "finish_reason": finish,
                    "prompt_tokens": usage.prompt_tokens - before[0],
                    "completion_tokens": usage.completion_tokens - before[1],
                },
            )
        return content, finish

    def _steps(self, schema: dict[str, Any]) -> bool:
        return self.stepwise and stepwise.fits(schema)

    def _request(
        self,
        messages: list[dict[str, str]],
        schema: dict[str, Any],
        name: str,
        max_tokens: int,
        usage: Usage,
        progress: Progress | None,
        *,
        steps: bool = False,
    ) -> tuple[str | None, str | None, bool]:
        """The answer's content and finish reason, and whether it was written stepwise."""
        fallbacks_left = 2
        _ = self.model  # asked of the server now, not inside the fleet's call below
        while True:
            try:
                if steps:
                    try:
                        return (
                            *self._stepwise(messages, schema, max_tokens, usage, progress),
                            True,
                        )
                    except stepwise.Unsupported:
                        self.stepwise = False  # this server answers in one call
                        steps = False
                        continue
                    except stepwise.Misstep:
                        steps = False  # this answer in one call
                        continue
                if progress is not None:
                    return (
                        *self.fleet.call(
                            lambda client: self._stream(
                                client, messages, schema, name, max_tokens, usage, progress
                            ),
                            classify,
                        ),
                        False,
                    )
                response = self.fleet.call(
                    lambda client: self._create(client, messages, schema, name, max_tokens),
                    classify,
                )
                break
            except openai.APIConnectionError as exc:
                raise map_api_error(exc, self.display_url) from exc
            except openai.APIStatusError as exc:
                if fallbacks_left and self._adapt_to(exc):
                    fallbacks_left -= 1
                    continue
                raise map_api_error(exc, self.display_url) from exc
            except openai.OpenAIError as exc:
                raise map_api_error(exc, self.display_url) from exc
        prompt_tokens = completion_tokens = 0
        if response.usage is not None:
            prompt_tokens = response.usage.prompt_tokens or 0
            completion_tokens = response.usage.completion_tokens or 0
        usage.add(prompt_tokens, completion_tokens)
        self.timings.add(getattr(response, "timings", None), prompt_tokens, completion_tokens)
        if not response.choices:
            return None, None, False
        choice = response.choices[0]
        return choice.message.content, choice.finish_reason, False

    def _stepwise(
        self,
        messages: list[dict[str, str]],
        schema: dict[str, Any],
        max_tokens: int,
        usage: Usage,
        progress: Progress | None,
    ) -> tuple[str | None, str | None]:
        """One answer written a value at a time (``stepwise.answer``), counted as one call."""
        answer = self.fleet.call(
            lambda client: stepwise.answer(
                client,
                self.model,
                messages,
                schema,
                max_tokens=max_tokens,
                temperature=self.settings.temperature,
                seed=self.settings.seed,
                progress=progress,
            ),
            classify,
        )
        usage.add(answer.prompt_tokens, answer.completion_tokens)
        if answer.calls:
            self.timings.add(answer.timings, answer.prompt_tokens, answer.completion_tokens)
        return answer.content, answer.finish

    def _stream(
        self,
        client: openai.OpenAI,
        messages: list[dict[str, str]],
        schema: dict[str, Any],
        name: str,
        max_tokens: int,
        usage: Usage,
        progress: Progress,
    ) -> tuple[str | None, str | None]:
        """Streamed request, so progress can show tokens as they are generated."""
        stream = self._create(
            client,
            messages,
            schema,
            name,
            max_tokens,
            stream=True,
            stream_options={"include_usage": True},
        )
        parts: list[str] = []
        finish: str | None = None
        generated = 0
        prompt_tokens = completion_tokens = None
        timings = None
        progress("Reading the article…")
        try:
            for chunk in stream:
                timings = getattr(chunk, "timings", None) or timings  # llama.cpp: the last chunk
                if chunk.usage is not None:
                    prompt_tokens = chunk.usage.prompt_tokens
                    completion_tokens = chunk.usage.completion_tokens
                for choice in chunk.choices:
                    if choice.delta and choice.delta.content:
                        parts.append(choice.delta.content)
                        generated += 1
                        if generated % 8 == 1:
                            progress(f"Writing: {generated} tokens")
                    if choice.finish_reason:
                        finish = choice.finish_reason
        except (httpx.TransportError, openai.APIConnectionError) as exc:
            # Older openai clients let httpx's error escape a stream: either way it is a broken
            # connection, not a bug.
            raise errors.EndpointUnreachableError(
                f"the connection to the model endpoint {self.display_url} broke off mid-answer "
                f"({type(exc).__name__})",
                hint="check the server (it may have stopped) and try again",
            ) from exc
        completion = completion_tokens if completion_tokens is not None else generated
        usage.add(prompt_tokens or 0, completion)
        self.timings.add(timings, prompt_tokens or 0, completion)
        return "".join(parts), finish

    def _adapt_to(self, exc: openai.APIStatusError) -> bool:
        """Switch request shape once for servers that reject part of it; True to try again."""
        message = str(exc).lower()
        if self._max_tokens_param == "max_tokens" and "max_completion_tokens" in message:
            self._max_tokens_param = "max_completion_tokens"  # o-series and newer OpenAI models
            return True
        if self.response_format == "json_schema" and exc.status_code in (400, 422, 500):
            self.response_format = "json_object"
            return True
        return False

    def structured(
        self,
        messages: list[dict[str, str]],
        schema: dict[str, Any],
        parse: Callable[[str | None], T],
        *,
        name: str,
        max_tokens: int,
        usage: Usage,
        reask: Callable[[str], dict[str, str]],
        progress: Progress | None = None,
    ) -> T:
        """Ask for JSON matching ``schema``; ``parse`` validates it (ValueError: re-ask once)."""
        history = list(messages)
        problem = ""
        for attempt in range(2):
            content, finish = self.complete_json(
                history, schema, name=name, max_tokens=max_tokens, usage=usage, progress=progress
            )
            try:
                if finish == "length":
                    raise ValueError(f"the answer was cut off at {max_tokens} tokens; be shorter")
                return parse(content)
            except ValueError as exc:
                problem = str(exc)
            if attempt == 0:
                history += [{"role": "assistant", "content": content or ""}, reask(problem)]
        raise errors.ModelOutputError(
            f"the model's answer was not a valid brief after one re-ask: {problem}",
            hint="try again, or use a stronger model (--model)",
        )
