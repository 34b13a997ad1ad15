"""``--batch`` when things go wrong across runs, against the local fake of the Files and Batch
API (tests/batch_server.py) and the real ``openai`` client: failures counted across
``--no-wait`` runs, a morning whose feeds keep changing, budgets kept before anything is
submitted, cut-off answers never stored, ``max_completion_tokens`` for OpenAI, no batch created
twice, a batch whose output is gone, ``briefer batches``, the endpoint's identity."""

from __future__ import annotations

import json
import re
import sqlite3
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from briefer import config
from briefer.batching import BatchOptions
from briefer.cli.main import main
from briefer.config import load_settings
from briefer.morning.profile import Profile
from briefer.morning.run import MorningResult, run_morning
from briefer.morning.state import data_dir, default_state_path

from .batch_server import SEED, BatchServer, Script, brief_batch, two_articles

ROOT = Path(__file__).resolve().parent.parent
OTHER = ROOT / "tests" / "data" / "grouping-may" / "Ca_wh_covid-summit-remarks.txt"


@pytest.fixture
def fake() -> Iterator[BatchServer]:
    srv = BatchServer().start()
    yield srv
    srv.stop()


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    return two_articles(tmp_path / "in")


def brief(fake: BatchServer, tmp_path: Path, *args: str, config: str = "") -> Result:
    return brief_batch(fake, tmp_path, *args, config=config)


def written(tmp_path: Path) -> list[str]:
    return sorted(p.name for p in (tmp_path / "out").glob("*.md"))


def stored() -> list[tuple[str, str]]:
    db = sqlite3.connect(default_state_path())
    return db.execute("SELECT id, status FROM batches ORDER BY rowid").fetchall()


# -- failures across --no-wait runs (review 26, High 1) ----------------------------------------


def test_no_wait_gives_up_a_request_on_its_second_failure_across_runs(
    fake: BatchServer, tmp_path: Path, folder: Path
) -> None:
    fake.scripts.extend([Script(fail=1), Script(fail=1)])  # a.txt's request fails both times
    first = brief(fake, tmp_path, "--no-wait", str(folder))
    assert first.exit_code == 0 and written(tmp_path) == [], first.output
    second = brief(fake, tmp_path, "--no-wait", str(folder))  # 1st failure; b written
    assert second.exit_code == 0 and written(tmp_path) == ["b.md"], second.output
    third = brief(fake, tmp_path, "--no-wait", str(folder))  # 2nd failure: given up
    assert third.exit_code == 14, third.output
    assert "a model request failed twice in the batch: HTTP 500" in third.output
    assert [len(b.lines) for b in fake.created] == [2, 1]  # not submitted a third time
    # Given up, the count starts again: a later run tries it once more.
    fourth = brief(fake, tmp_path, str(folder))
    assert fourth.exit_code == 0, fourth.output
    assert written(tmp_path) == ["a.md", "b.md"] and len(fake.created) == 3


# -- budgets before round 1 (Medium 3) -------------------------------------------------------


PRICES = "[models.scripted-model]\ninput_per_million = 2.0\noutput_per_million = 8.0\n"


def test_max_cost_selects_inputs_at_the_batch_price_before_anything_is_submitted(
    fake: BatchServer, tmp_path: Path
) -> None:
    folder = tmp_path / "four"
    folder.mkdir()
    for i, country in enumerate(["Nepal", "Bhutan", "Tibet", "Burma"]):
        (folder / f"a{i}.txt").write_text(SEED.read_text().replace("India", country))
    dry = brief(fake, tmp_path, "--dry-run", str(folder / "a0.txt"), config=PRICES)
    found = re.search(r"\$([0-9.]+) at the batch price", dry.output)
    assert found, dry.output
    one = float(found.group(1))
    # Room for two inputs at the batch price (and for only one at the full price).
    result = brief(fake, tmp_path, "--max-cost", f"{one * 2.5:.6f}", str(folder), config=PRICES)
    assert result.exit_code == 14, result.output
    assert result.output.count("at the batch price, over --max-cost") == 2
    assert "nothing submitted for it" in result.output
    assert fake.lines_submitted == 2 and written(tmp_path) == ["a0.md", "a1.md"]
    assert "2 of 4 inputs failed" in result.output


def test_a_single_input_over_max_tokens_is_exit_17_and_nothing_is_submitted(
    fake: BatchServer, tmp_path: Path, folder: Path
) -> None:
    result = brief(fake, tmp_path, "--max-tokens", "10", str(folder / "a.txt"))
    assert result.exit_code == 17, result.output
    assert "over --max-tokens 10" in result.output and fake.created == []


# -- cut-off answers (Medium 4) --------------------------------------------------------------


def test_a_cut_off_answer_is_re_asked_and_never_stored(
    fake: BatchServer, tmp_path: Path, folder: Path
) -> None:
    fake.scripts.append(Script(cut_off=1))
    result = brief(fake, tmp_path, str(folder))
    assert result.exit_code == 0, result.output
    assert written(tmp_path) == ["a.md", "b.md"]
    first, reask = fake.created
    assert len(reask.lines) == 1  # the re-ask, with the cut-off answer in its history
    assert reask.lines[0]["custom_id"] != first.lines[0]["custom_id"]
    answers = [json.loads(p.read_text()) for p in (data_dir() / "answers").rglob("*.json")]
    assert len(answers) == 2 and all(a["finish_reason"] != "length" for a in answers)


# -- max_completion_tokens for OpenAI (Medium 5) ---------------------------------------------


def test_openai_s_own_endpoint_gets_max_completion_tokens(
    fake: BatchServer, tmp_path: Path, folder: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    fake.reject_max_tokens = True  # as gpt-5 and the o-series do
    monkeypatch.setattr(config, "OPENAI_BASE_URL", fake.base_url)
    result = brief(fake, tmp_path, str(folder))
    assert result.exit_code == 0, result.output
    bodies = [line["body"] for b in fake.created for line in b.lines]
    assert all("max_completion_tokens" in b and "max_tokens" not in b for b in bodies)
    assert len(fake.created) == 1 and written(tmp_path) == ["a.md", "b.md"]


def test_other_endpoints_keep_max_tokens(fake: BatchServer, tmp_path: Path, folder: Path) -> None:
    assert brief(fake, tmp_path, str(folder)).exit_code == 0
    assert all("max_tokens" in line["body"] for b in fake.created for line in b.lines)


# -- no batch billed twice (Medium 6) --------------------------------------------------------


def test_a_create_whose_reply_is_lost_is_found_by_its_token_not_created_again(
    fake: BatchServer, tmp_path: Path, folder: Path
) -> None:
    fake.lost_creates = 1  # created, then HTTP 500: a client retry would create a second one
    result = brief(fake, tmp_path, str(folder))
    assert result.exit_code == 0, result.output
    assert [r for r in fake.requests if r == ("POST", "/v1/batches")] == [("POST", "/v1/batches")]
    assert len(fake.created) == 1 and written(tmp_path) == ["a.md", "b.md"]
    ((batch_id, status),) = stored()
    assert batch_id == fake.created[0].id and status == "collected"
    assert fake.created[0].metadata and "briefer_submission" in fake.created[0].metadata


def test_a_batch_created_before_a_crash_is_found_again_by_its_token(
    fake: BatchServer, tmp_path: Path, folder: Path
) -> None:
    fake.scripts.append(Script(in_progress=1))
    assert brief(fake, tmp_path, "--no-wait", str(folder)).exit_code == 0
    # As if the process died between creating the batch and storing its id.
    (batch,) = fake.created
    assert batch.metadata is not None
    token = batch.metadata["briefer_submission"]
    db = sqlite3.connect(default_state_path())
    db.execute("UPDATE batches SET id = ?, status = 'submitted'", (f"submitting:{token}",))
    db.commit()
    db.close()
    result = brief(fake, tmp_path, str(folder))
    assert result.exit_code == 0, result.output
    assert "0 submitted (0 requests), 1 resumed" in result.output
    assert len(fake.created) == 1 and written(tmp_path) == ["a.md", "b.md"]


def test_a_submission_never_created_is_forgotten_and_submitted(
    fake: BatchServer, tmp_path: Path, folder: Path
) -> None:
    db_path = default_state_path()
    db_path.parent.mkdir(parents=True, exist_ok=True)
    from briefer.morning.state import State

    state = State()
    state.record_batch("submitting:abc", "brief", fake.base_url, 1, ["nothing"])
    state.close()
    result = brief(fake, tmp_path, str(folder))
    assert result.exit_code == 0, result.output
    assert len(fake.created) == 1 and [s for _, s in stored()] == ["collected"]


# -- a batch whose output is gone; briefer batches (Medium 9) ---------------------------------


def test_a_batch_whose_output_is_gone_is_given_up_and_its_requests_go_again(
    fake: BatchServer, tmp_path: Path, folder: Path
) -> None:
    fake.scripts.append(Script(output_gone=True))
    result = brief(fake, tmp_path, str(folder))
    assert result.exit_code == 0, result.output
    assert "given up, its output file" in result.output and "went again" in result.output
    assert [len(b.lines) for b in fake.created] == [2, 2]
    assert written(tmp_path) == ["a.md", "b.md"]
    assert [s for _, s in stored()] == ["failed", "collected"]


def test_briefer_batches_lists_cancels_and_forgets(
    fake: BatchServer, tmp_path: Path, folder: Path
) -> None:
    fake.scripts.extend([Script(in_progress=9), Script(in_progress=9)])
    assert brief(fake, tmp_path, "--no-wait", str(folder)).exit_code == 0
    (first,) = fake.created
    listed = CliRunner().invoke(main, ["batches"])
    assert listed.exit_code == 0 and f"{first.id}  in_progress  brief round 1, 2 requests" in (
        listed.output
    )
    endpoint = ["--base-url", fake.base_url, "--api-key", "k"]
    cancel = CliRunner().invoke(main, ["batches", "--cancel", first.id, *endpoint])
    assert cancel.exit_code == 0, cancel.output
    assert fake.batches[first.id].status == "cancelling" and stored() == [(first.id, "cancelled")]
    assert brief(fake, tmp_path, "--no-wait", str(folder)).exit_code == 0  # submitted anew
    second = fake.created[1]
    forget = CliRunner().invoke(main, ["batches", "--forget", second.id])
    assert forget.exit_code == 0 and stored() == [(first.id, "cancelled")]
    unknown = CliRunner().invoke(main, ["batches", "--forget", "batch-404"])
    assert unknown.exit_code == 7 and "no stored batch batch-404" in unknown.output


# -- messages and exit codes (Low 12) --------------------------------------------------------


def test_no_wait_with_an_input_that_failed_does_not_say_the_others_were_written(
    fake: BatchServer, tmp_path: Path, folder: Path
) -> None:
    result = brief(fake, tmp_path, "--no-wait", str(folder), str(tmp_path / "missing.txt"))
    assert result.exit_code == 14, result.output
    assert "1 of 3 inputs failed; the others' batches are in progress" in result.output
    assert "were written" not in result.output


def test_morning_no_wait_keeps_exit_14_for_sources_that_failed(
    fake: BatchServer, tmp_path: Path
) -> None:
    source = tmp_path / "articles"
    source.mkdir()
    (source / "a.txt").write_text(SEED.read_text())
    fake.scripts.append(Script(in_progress=3))
    result = CliRunner().invoke(
        main,
        ["morning", "--source", str(source), "--source", str(tmp_path / "gone"),
         "-o", str(tmp_path / "out"), "-f", "md", "--base-url", fake.base_url, "--api-key", "k",
         "--batch", "--poll", "0.01", "--no-wait"],
    )  # fmt: skip
    assert result.exit_code == 14, result.output
    assert "in progress (its id is stored)" in result.output
    assert "1 of 2 sources could not be read" in result.output and "no digest yet" in result.output


# -- the endpoint's identity (duplicated concepts) -------------------------------------------


def test_a_fleet_given_in_another_order_resumes_its_stored_batch(
    fake: BatchServer, tmp_path: Path, folder: Path
) -> None:
    fake.scripts.append(Script(in_progress=1))
    other = fake.base_url.replace("127.0.0.1", "localhost")
    order = [fake.base_url, other]
    first = brief(fake, tmp_path, "--no-wait", "--base-url", order[1], str(folder))
    assert first.exit_code == 0, first.output
    again = CliRunner().invoke(
        main,
        ["brief", "--base-url", other, "--base-url", fake.base_url, "--api-key", "k",
         "--timeout", "10", "--batch", "--poll", "0.01", "-f", "md",
         "-o", str(tmp_path / "out"), str(folder)],
    )  # fmt: skip
    assert again.exit_code == 0, again.output
    assert len(fake.created) == 1 and written(tmp_path) == ["a.md", "b.md"]


# -- a morning whose feeds keep changing (High 2) --------------------------------------------


def _morning(fake: BatchServer, source: Path, out: Path) -> MorningResult:
    settings = load_settings({"base_url": fake.base_url, "api_key": "k", "timeout": 10})
    profile = Profile(name="news", sources=[str(source)], out_dir=out, formats=["md", "json"])
    return run_morning(settings, profile, batch=BatchOptions(wait=False, poll=0.01))


def test_morning_no_wait_writes_the_digest_of_its_batches_while_new_entries_arrive(
    fake: BatchServer, tmp_path: Path
) -> None:
    source = tmp_path / "articles"
    source.mkdir()
    (source / "a.txt").write_text(SEED.read_text())
    fake.scripts.append(Script(in_progress=1))
    first = _morning(fake, source, tmp_path / "out")
    assert first.waiting and not first.paths
    (source / "b.txt").write_text(OTHER.read_text())  # a new entry before the next run
    second = _morning(fake, source, tmp_path / "out")
    assert second.waiting == [] and second.paths, second
    digest = second.digest
    assert len(digest.items) == 1 and len(fake.created) == 1
    left = [n for n in digest.not_included if "left for the next run" in n.reason]
    assert left and left[0].source.endswith("b.txt")
    third = _morning(fake, source, tmp_path / "out")  # now b's turn
    assert third.waiting and len(fake.created) == 2
    first_keys = {line["custom_id"] for line in fake.created[0].lines}
    assert first_keys.isdisjoint(line["custom_id"] for line in fake.created[1].lines)


def test_morning_batch_keeps_max_cost_at_the_batch_price(fake: BatchServer, tmp_path: Path) -> None:
    source = tmp_path / "articles"
    source.mkdir()
    (source / "a.txt").write_text(SEED.read_text())
    cfg = tmp_path / "prices.toml"
    cfg.write_text(PRICES)
    profile = Profile(name="news", sources=[str(source)], out_dir=tmp_path / "out", formats=["md"])

    def morning(max_cost: float | None, dry_run: bool = False) -> MorningResult:
        options = {"base_url": fake.base_url, "api_key": "k", "timeout": 10, "max_cost": max_cost}
        settings = load_settings(options, config_file=cfg)
        batch = BatchOptions(poll=0.01)
        return run_morning(settings, profile, batch=batch, dry_run=dry_run)

    (planned,) = morning(None, dry_run=True).plan
    assert planned.cost_usd
    # Over the budget at the full price, within it at the batch price.
    result = morning(planned.cost_usd * 0.75)
    assert len(result.digest.items) == 1, result.digest.not_included
    assert fake.lines_submitted == 1
