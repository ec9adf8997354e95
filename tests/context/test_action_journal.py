from dotdo.context.action_journal import COMPLETED, FAILED, RETRYING, RUNNING, ActionJournal
from dotdo.runtime.storage import Storage


def test_a_step_moves_through_its_states(tmp_path) -> None:
    journal = ActionJournal(Storage(tmp_path / "o.sqlite"))
    assert journal.get("s") is None and journal.list() == []
    assert journal.start("s", kind="do", action="charge", args_json="[5]", policy={"max_attempts": 3}, now=1.0) == 1
    assert journal.get("s").status == RUNNING
    journal.retry_at("s", "ConnectionError: down", when=2.0, now=1.5)
    record = journal.get("s")
    assert (record.status, record.error, record.next_attempt_at) == (RETRYING, "ConnectionError: down", 2.0)
    assert journal.start("s", kind="do", action="charge", args_json="[5]", policy=None, now=2.0) == 2
    journal.complete("s", '{"ok": true}', now=2.1)
    record = journal.get("s")
    assert (record.status, record.attempts, record.result, record.error) == (COMPLETED, 2, {"ok": True}, None)
    assert (record.args, record.policy, record.created_at) == ([5], {"max_attempts": 3}, 1.0)
    journal.start("t", kind="try", action="lookup", args_json="[]", policy=None, now=3.0)
    journal.fail("t", "ValueError: no", now=3.1)
    assert [r.step_id for r in journal.list(status=FAILED)] == ["t"]
    assert [r.step_id for r in journal.list()] == ["s", "t"]
