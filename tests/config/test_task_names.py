"""Tasks queued by name (`send_task("cases.tasks.…")`, which keeps services from importing
cases.tasks) name a task the worker has: a typo or a rename would queue into the void."""

import ast
from pathlib import Path

import pytest

from config.celery import app

ROOT = Path(__file__).resolve().parent.parent.parent
APPS = ("config", "accounts", "providers", "cases")


def _is_send_task(node: ast.expr) -> bool:
    return isinstance(node, ast.Attribute) and node.attr == "send_task"


def queued_names(source: str) -> list[str]:
    """The task names given to send_task, called directly or through functools.partial."""
    names = []
    for node in ast.walk(ast.parse(source)):
        if not isinstance(node, ast.Call):
            continue
        if _is_send_task(node.func):
            args = node.args
        elif node.args and _is_send_task(node.args[0]):  # partial(app.send_task, "name")
            args = node.args[1:]
        else:
            continue
        if args and isinstance(args[0], ast.Constant) and isinstance(args[0].value, str):
            names.append(args[0].value)
    return names


def all_queued_names() -> set[str]:
    return {
        name
        for app_dir in APPS
        for path in (ROOT / app_dir).rglob("*.py")
        if "migrations" not in path.parts
        for name in queued_names(path.read_text())
    }


def test_the_walk_finds_both_ways_of_queueing_by_name():
    source = (
        "app.send_task('cases.tasks.one', kwargs={})\n"
        "on_commit(partial(celery_app.send_task, 'cases.tasks.two'))\n"
        "app.send_task(name)\n"
    )
    assert queued_names(source) == ["cases.tasks.one", "cases.tasks.two"]


# Importing the task modules runs Celery's Django fixup, whose model checks open a connection on
# SQLite (JSONField asks the database whether it supports JSON).
@pytest.mark.django_db
def test_every_task_queued_by_name_is_registered():
    app.loader.import_default_modules()
    queued = all_queued_names()
    assert queued, "no send_task found: the walk is broken"
    assert sorted(queued - set(app.tasks)) == []
