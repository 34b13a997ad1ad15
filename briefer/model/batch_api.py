"""The OpenAI Files and Batch API, through the same ``openai`` client as every model call:
upload a JSONL of requests, create a batch, find one by its submission token, look at it,
download its output, cancel it."""

from __future__ import annotations

from dataclasses import dataclass

import openai

from briefer.model.llm import ChatModel, map_api_error

#: The key of a batch's metadata that holds the token briefer submitted it under.
TOKEN_KEY = "briefer_submission"
#: How many of the newest batches are searched for a token (a crash's batch is recent).
SEARCHED = 500


def _refused(exc: openai.OpenAIError) -> bool:
    """A clear refusal (4xx other than 408, 409, 429): the batch was not created. After a
    timeout or a 5xx it may have been, and may yet be listed: its input file must stay."""
    return (
        isinstance(exc, openai.APIStatusError)
        and 400 <= exc.status_code < 500
        and (exc.status_code not in (408, 409, 429))
    )


class OutputGone(Exception):
    """A finished batch's output (or error) file is no longer at the endpoint (HTTP 404): its
    answers cannot be collected (``briefer.batching`` gives the batch up)."""


@dataclass(frozen=True)
class BatchStatus:
    id: str
    status: str
    output_file_id: str | None
    error_file_id: str | None
    completed: int
    failed: int
    total: int
    #: Why a batch failed as a whole (its input was refused), if it did.
    reason: str = ""
    input_file_id: str | None = None

    @property
    def files(self) -> tuple[str | None, ...]:
        return (self.input_file_id, self.output_file_id, self.error_file_id)


class BatchService:
    """The Batch API of ``model``'s endpoint."""

    def __init__(self, model: ChatModel) -> None:
        self.model = model
        # The chat client leaves retries to the fleet's limiter (max_retries=0); the Files and
        # Batch API calls have no limiter, so they keep the client's own retries with backoff.
        self.client = model.client.with_options(max_retries=model.settings.max_retries)

    def submit(self, data: bytes, token: str, *, name: str = "briefer-batch.jsonl") -> str:
        """Upload ``data`` (the JSONL) and create a batch of it under ``token`` (kept in its
        metadata); the batch's id. Creating is not retried (a POST without an idempotency key
        could bill a second batch): after a failure the batch is looked for by its token."""
        try:
            uploaded = self.client.files.create(file=(name, data), purpose="batch")
        except openai.OpenAIError as exc:
            raise map_api_error(exc, self.model.display_url) from exc
        try:
            batch = self.client.with_options(max_retries=0).batches.create(
                input_file_id=uploaded.id,
                endpoint="/v1/chat/completions",  # BATCH_URL, as the client types it
                completion_window="24h",
                metadata={"made_by": "briefer", TOKEN_KEY: token},
            )
        except openai.OpenAIError as exc:
            if (found := self.find(token)) is not None:
                return found  # created after all (a timeout, a 5xx after the fact)
            if _refused(exc):  # never created: its upload is of no use
                self.delete_files(uploaded.id)
            raise map_api_error(exc, self.model.display_url) from exc
        return batch.id

    def find(self, token: str) -> str | None:
        """The id of the batch created under ``token``, among the newest ``SEARCHED``."""
        try:
            for n, batch in enumerate(self.client.batches.list(limit=100)):
                metadata = batch.metadata if isinstance(batch.metadata, dict) else {}
                if metadata.get(TOKEN_KEY) == token:
                    return batch.id
                if n + 1 >= SEARCHED:
                    break
        except openai.OpenAIError as exc:
            raise map_api_error(exc, self.model.display_url) from exc
        return None

    def status(self, batch_id: str) -> BatchStatus:
        try:
            batch = self.client.batches.retrieve(batch_id)
        except openai.NotFoundError:
            # Another account's or endpoint's id, or deleted: its requests must go again.
            return BatchStatus(batch_id, "not_found", None, None, 0, 0, 0)
        except openai.OpenAIError as exc:
            raise map_api_error(exc, self.model.display_url) from exc
        counts = batch.request_counts
        errors = batch.errors.data if batch.errors and batch.errors.data else []
        return BatchStatus(
            id=batch.id,
            status=batch.status,
            output_file_id=batch.output_file_id,
            error_file_id=batch.error_file_id,
            completed=counts.completed if counts else 0,
            failed=counts.failed if counts else 0,
            total=counts.total if counts else 0,
            reason="; ".join(e.message or e.code or "?" for e in errors[:3]),
            input_file_id=batch.input_file_id,
        )

    def download(self, file_id: str | None) -> bytes:
        if not file_id:
            return b""
        try:
            return self.client.files.content(file_id).read()
        except openai.NotFoundError as exc:
            raise OutputGone(f"its output file {file_id} is no longer at the endpoint") from exc
        except openai.OpenAIError as exc:
            raise map_api_error(exc, self.model.display_url) from exc

    def delete_files(self, *file_ids: str | None) -> int:
        """Delete files of a batch from the endpoint once nothing needs them (the answers are
        in the cache): an account keeps every file until it is deleted. Best effort: a file
        that cannot be deleted is left there, and nothing depends on it. How many were."""
        deleted = 0
        for file_id in filter(None, file_ids):
            try:
                self.client.files.delete(file_id)
            except openai.OpenAIError:
                continue
            deleted += 1
        return deleted

    def cancel(self, batch_id: str) -> None:
        try:
            self.client.batches.cancel(batch_id)
        except openai.OpenAIError as exc:
            raise map_api_error(exc, self.model.display_url) from exc
