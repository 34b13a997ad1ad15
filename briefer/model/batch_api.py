"""The OpenAI Files and Batch API, through the same ``openai`` client as every model call:
upload a JSONL of requests, create a batch, look at it, download its output, cancel it."""

from __future__ import annotations

from dataclasses import dataclass

import openai

from briefer.model.llm import ChatModel, map_api_error

#: A batch in one of these states will not change any more (``not_found``: briefer's own, for
#: an id the endpoint does not know).
FINISHED = frozenset({"completed", "failed", "expired", "cancelled", "not_found"})


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


class BatchService:
    """The Batch API of ``model``'s endpoint."""

    def __init__(self, model: ChatModel) -> None:
        self.model = model
        # The chat client leaves retries to the fleet's limiter (max_retries=0); the Files and
        # Batch API calls have no limiter, so they keep the client's own retries with backoff.
        self.client = model.client.with_options(max_retries=model.settings.max_retries)

    def submit(self, data: bytes, *, name: str = "briefer-batch.jsonl") -> str:
        """Upload ``data`` (the JSONL) and create a batch of it; the batch's id."""
        try:
            uploaded = self.client.files.create(file=(name, data), purpose="batch")
            batch = self.client.batches.create(
                input_file_id=uploaded.id,
                endpoint="/v1/chat/completions",  # BATCH_URL, as the client types it
                completion_window="24h",
                metadata={"made_by": "briefer"},
            )
        except openai.OpenAIError as exc:
            raise map_api_error(exc, self.model.display_url) from exc
        return batch.id

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
        )

    def download(self, file_id: str | None) -> bytes:
        if not file_id:
            return b""
        try:
            return self.client.files.content(file_id).read()
        except openai.OpenAIError as exc:
            raise map_api_error(exc, self.model.display_url) from exc

    def cancel(self, batch_id: str) -> None:
        try:
            self.client.batches.cancel(batch_id)
        except openai.OpenAIError as exc:
            raise map_api_error(exc, self.model.display_url) from exc
