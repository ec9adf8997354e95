import pytest

from dotdo.context import ScheduleError, every
from dotdo.context.schedule_builder import EVERY_ATTRIBUTE, class_schedules


def test_fluent_specs_expose_cron_and_timezone() -> None:
    assert every.minute.cron == "* * * * *"
    assert every.hour.cron == "0 * * * *"
    assert every.day.cron == "0 0 * * *"
    assert every.weekday.at("9am").cron == "0 9 * * 1-5"
    assert every.weekend.at("10:30am").cron == "30 10 * * 0,6"
    assert every.monday.at("9am").cron == "0 9 * * 1"
    assert every.Friday.at("5pm").cron == "0 17 * * 5"
    assert every.sunday.cron == "0 0 * * 0"
    assert every.day.at6am.cron == "0 6 * * *"
    assert every.tuesday.at11pm.cron == "0 23 * * 2"
    assert every.day.atnoon.cron == "0 12 * * *"
    assert every.day.atmidnight.cron == "0 0 * * *"
    assert every.monday.at("9am").timezone is None
    assert every.monday.at("9am", timezone="Europe/Paris").timezone == "Europe/Paris"
    spec = every("first monday at 9am Europe/Paris", missed="all")
    assert (spec.cron, spec.timezone, spec.missed) == ("0 9 * * 1#1", "Europe/Paris", "all")
    assert every("every 5 minutes").cron == every("5 minutes").cron == "*/5 * * * *"


def test_fluent_errors() -> None:
    with pytest.raises(ScheduleError, match=r"'\.at' applies to days"):
        every.hour.at("9am")
    with pytest.raises(ScheduleError, match="Invalid hour for 12-hour format: 13"):
        every.monday.at("13pm")
    with pytest.raises(AttributeError, match="every has no 'fortnight'"):
        every.fortnight  # noqa: B018
    with pytest.raises(ValueError, match="missed must be one of"):
        every("hourly", missed="sometimes")
    with pytest.raises(ScheduleError, match="Unknown time zone"):
        every.day.at("9am", timezone="Nowhere/Land")


def test_unbound_every_marks_methods_and_keeps_them_callable() -> None:
    class Reports:
        @every.hour(missed="all")
        @every("weekdays at 9am")
        def report(self) -> str:
            return "done"

    assert Reports().report() == "done"
    marked = class_schedules(Reports)
    assert [(name, spec.cron, spec.missed) for name, spec in marked] == [
        ("report", "0 9 * * 1-5", "once"),
        ("report", "0 * * * *", "all"),
    ]
    assert len(getattr(Reports.report, EVERY_ATTRIBUTE)) == 2


def test_policy_and_grace_checks() -> None:
    assert every.hour(missed="skip").missed == "skip"
    assert every.day.at("9am", missed="all", grace=5).grace == 5.0
    with pytest.raises(ValueError, match="grace"):
        every.hour(grace=-1)
    with pytest.raises(TypeError, match="callable"):
        every.hour(42)
