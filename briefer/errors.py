"""briefer's one error hierarchy.

Every error carries a one-line message saying what went wrong and what to do, and the process
exit code the CLI uses for it::

    BrieferError (1)
    ├── InputError
    │   ├── InputNotFoundError (3)      missing file or directory
    │   ├── InputEmptyError (4)         nothing but whitespace, or no article text in HTML
    │   ├── InputNotTextError (5)       binary or not decodable as UTF-8
    │   ├── FetchError (6)              URL refused (not a public address), unreachable, HTTP
    │   │                               error, too large, too slow, not a page, not http(s)
    │   ├── InputTooLongError (13)      does not fit the model's context
    │   └── BriefFileError (19)         a saved brief that is not briefer's JSON or Markdown
    ├── ConfigError (7)                 no endpoint configured, bad config file or option
    ├── EndpointError (11)              endpoint answered an error (model not found, rate limit…)
    │   ├── RateLimitError (11)         still HTTP 429 after the client's retries
    │   ├── EndpointUnreachableError (8) connection refused / timed out, after retries
    │   ├── AuthenticationError (9)     key missing or rejected
    │   ├── LocalRuntimeError (15)      embedded model server failed (start, checksum)
    │   └── BatchJobError (22)          a Batch API batch expired, was cancelled or failed
    ├── ModelOutputError (10)           the model's answer stayed invalid after one re-ask
    ├── UnsupportedStatementsError (16) --on-unsupported fail, and the verifier found some
    ├── BudgetError (17)                a call would exceed --max-cost / --max-tokens
    ├── RenderError (12)                template or PDF rendering failed
    ├── RunLockedError (20)             another morning run of the same state is in progress
    ├── DeliveryError (21)              the digest was written but could not be mailed
    └── InternalError (18)              a bug in briefer: an exception outside this tree

``BatchError`` (14) is the CLI's summary when some, but not all, inputs of a batch failed.
"""

from __future__ import annotations

from typing import Any


class BrieferError(Exception):
    """Base class: ``str(err)`` is the one-line message shown to the user."""

    exit_code = 1

    def __init__(self, message: str, *, hint: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.hint = hint

    def __str__(self) -> str:
        return f"{self.message} ({self.hint})" if self.hint else self.message

    def __reduce__(self) -> tuple[Any, ...]:
        # Pickled (an error raised in a worker process of ``--processes``): rebuilt as the same
        # class with its message, hint and every other attribute, whatever its __init__ takes.
        return (_rebuild, (type(self), self.args, self.__dict__))


def _rebuild(cls: type[BrieferError], args: tuple[Any, ...], state: dict[str, Any]) -> BrieferError:
    error = cls.__new__(cls)
    Exception.__init__(error, *args)
    error.__dict__.update(state)
    return error


class InputError(BrieferError):
    """Something is wrong with one input; other inputs of a batch go on."""

    exit_code = 3


class InputNotFoundError(InputError):
    exit_code = 3


class InputEmptyError(InputError):
    exit_code = 4


class InputNotTextError(InputError):
    exit_code = 5


class FetchError(InputError):
    exit_code = 6


class InputTooLongError(InputError):
    exit_code = 13


class BriefFileError(InputError):
    """A saved brief (``briefer render``, ``briefer verify``) that cannot be read back."""

    exit_code = 19


class ConfigError(BrieferError):
    exit_code = 7


class EndpointError(BrieferError):
    exit_code = 11


class RateLimitError(EndpointError):
    """HTTP 429 after the client's own retries: callers that run many requests back off."""

    exit_code = 11


class EndpointUnreachableError(EndpointError):
    exit_code = 8


class AuthenticationError(EndpointError):
    exit_code = 9


class LocalRuntimeError(EndpointError):
    """The embedded model or its server could not be used."""

    exit_code = 15


class BatchJobError(EndpointError):
    """A batch (``--batch``) expired, was cancelled or was refused as a whole: the answers it
    gave are kept, and a rerun submits the rest again."""

    exit_code = 22


class ModelOutputError(BrieferError):
    """The model's answer was not a valid brief, even after quoting the error back to it."""

    exit_code = 10


class UnsupportedStatementsError(BrieferError):
    """``--on-unsupported fail``: the brief has statements its sources do not support."""

    exit_code = 16

    @classmethod
    def listing(cls, origin: str, items: list[tuple[str, Any]]) -> UnsupportedStatementsError:
        shown = "; ".join(
            f"{section}: “{st.text[:60]}” ({', '.join(st.problems) or 'unsupported'})"
            for section, st in items[:3]
        )
        more = f" and {len(items) - 3} more" if len(items) > 3 else ""
        return cls(
            f"{origin}: {len(items)} unsupported statement(s): {shown}{more}",
            hint="use --on-unsupported flag or drop to write the brief anyway",
        )


class BudgetError(BrieferError):
    """A run would exceed --max-cost or --max-tokens: stopped before the call."""

    exit_code = 17


class RenderError(BrieferError):
    exit_code = 12


class RunLockedError(BrieferError):
    """Another ``briefer morning`` run holds the state's lock: runs never overlap."""

    exit_code = 20


class DeliveryError(BrieferError):
    """The digest is written, but mailing it failed (SMTP refused, unreachable, bad login)."""

    exit_code = 21


class InternalError(BrieferError):
    """An exception outside this tree, caught at the per-input boundary: one line, not a
    traceback (``--debug`` shows it), and the other inputs of a batch go on."""

    exit_code = 18

    @classmethod
    def wrapping(
        cls,
        origin: str,
        exc: BaseException,
        hint: str = "a bug in briefer; rerun with --debug and report the traceback",
    ) -> InternalError:
        detail = " ".join(str(exc).split())[:200]
        return cls(
            f"{origin}: unexpected {type(exc).__name__}" + (f": {detail}" if detail else ""),
            hint=hint,
        )


class BatchError(BrieferError):
    exit_code = 14


#: Errors that would fail every other input of a batch too: the batch stops at the first one.
FATAL_FOR_BATCH: tuple[type[BrieferError], ...] = (
    ConfigError,
    EndpointUnreachableError,
    AuthenticationError,
    LocalRuntimeError,
)

EXIT_CODES: dict[int, str] = {
    0: "success",
    2: "usage error (bad command-line option)",
    3: "input file not found",
    4: "input empty (or no article text in an HTML page)",
    5: "input is binary or not UTF-8 text",
    6: "URL not fetched (non-public address, unreachable, HTTP error, too large or slow, "
    "not a web page or text, or not http/https)",
    7: "configuration error (no endpoint configured, bad config file)",
    8: "model endpoint unreachable or timed out (after retries)",
    9: "authentication with the endpoint failed",
    10: "the model's answer was not a valid brief, even after one re-ask",
    11: "the endpoint returned an error (model not found, rate limit, server error)",
    12: "rendering failed (template or PDF)",
    13: "input too long for the model's context",
    14: "some inputs of a batch failed (the others were written)",
    15: "the embedded local model failed (server did not start, model file corrupt)",
    16: "unsupported statements, with --on-unsupported fail (nothing written)",
    17: "the run would exceed --max-cost or --max-tokens (stopped before the call)",
    18: "internal error (a bug in briefer; --debug shows the traceback)",
    19: "a saved brief that is not briefer's JSON or Markdown layout",
    20: "another morning run is in progress (runs never overlap; nothing was done)",
    21: "the morning digest was written, but mailing it failed",
    22: "a batch (--batch) expired, was cancelled or failed; its answers are kept, rerun to "
    "submit the rest",
    130: "interrupted (Ctrl-C)",
}
