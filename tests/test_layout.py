"""The layout keeps its shape (STYLE.md "Where things live"): imports run one way, one module
writes the timeline, and only Celery loads the tasks. Function-level imports count too."""

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
APPS = ("config", "accounts", "providers", "cases")


def _module_name(path: Path) -> str:
    parts = path.relative_to(ROOT).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _sources() -> dict[str, Path]:
    return {
        _module_name(path): path
        for app in APPS
        for path in (ROOT / app).rglob("*.py")
        if "migrations" not in path.parts
    }


SOURCES = _sources()


def _resolve(name: str) -> str | None:
    while name and name not in SOURCES:
        name = name.rpartition(".")[0]
    return name or None


def _imports(module: str) -> set[str]:
    """The first-party modules `module` imports, anywhere in its body."""
    path = SOURCES[module]
    package = module if path.name == "__init__.py" else module.rpartition(".")[0]
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        names: list[str] = []
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join([*anchor, base] if base else anchor)
            names = [f"{base}.{alias.name}" for alias in node.names] or [base]
        for name in names:
            target = _resolve(name)
            if target and target != module:
                found.add(target)
    return found


GRAPH = {module: _imports(module) for module in SOURCES}


def _under(module: str, package: str) -> bool:
    return module == package or module.startswith(package + ".")


def _cycles() -> list[list[str]]:
    """Strongly connected components of more than one module (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for nxt in GRAPH[node]:
            if nxt not in index:
                visit(nxt)
                low[node] = min(low[node], low[nxt])
            elif nxt in on_stack:
                low[node] = min(low[node], index[nxt])
        if low[node] == index[node]:
            component = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                component.append(member)
                if member == node:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for node in sorted(GRAPH):
        if node not in index:
            visit(node)
    return found


def test_the_walk_sees_the_known_imports():
    # A walk that found nothing would pass every rule below.
    assert "cases.models" in GRAPH["cases.services"]
    assert "cases.reminders.outbox" in GRAPH["cases.services"]
    assert "cases.claims" in GRAPH["cases.apps"]  # inside ready(): function-level counts


def test_no_module_imports_itself_through_a_circle():
    assert _cycles() == []


@pytest.mark.parametrize(
    ("importer", "imported"),
    [
        ("accounts", "cases"),
        ("providers", "cases"),
        ("cases.reminders", "cases.services"),
        ("cases.events", "cases.services"),
        ("cases.transitions", "cases.services"),
        ("cases.models", "cases.services"),
        # The staff dashboard sits above the services it writes through.
        ("cases.services", "cases.staff"),
        ("cases.reminders", "cases.staff"),
    ],
)
def test_imports_run_one_way(importer, imported):
    wrong = sorted(
        f"{module} imports {target}"
        for module, targets in GRAPH.items()
        if _under(module, importer)
        for target in targets
        if _under(target, imported)
    )
    assert wrong == []


def test_only_celery_loads_the_tasks():
    importers = sorted(m for m, targets in GRAPH.items() if "cases.tasks" in targets)
    assert importers == []


def test_only_the_events_module_creates_timeline_rows():
    writers = sorted(
        str(path.relative_to(ROOT))
        for module, path in SOURCES.items()
        if module != "cases.events"
        for marker in ("CaseEvent.objects.create", "CaseEvent.objects.bulk_create", "CaseEvent(")
        if marker in path.read_text()
        and not (module == "cases.models.timeline" and marker == "CaseEvent(")
    )
    assert writers == []


# --- One write path: a case is locked and saved only in cases/locking.py -----------------------

WRITE_PATH = "cases.locking"
# Names the code gives a case it writes; `.save(` on one of these outside locking goes around
# the version check and the event.
CASE_NAMES = {"case", "locked", "fresh", "draft"}


def _root(node: ast.expr) -> ast.expr:
    """The start of a chain such as Case.objects.filter(...).select_for_update()."""
    while True:
        if isinstance(node, ast.Call):
            node = node.func
        elif isinstance(node, ast.Attribute | ast.Subscript):
            node = node.value
        else:
            return node


def _is_case(node: ast.expr) -> bool:
    return isinstance(node, ast.Name) and (
        node.id == "Case" or node.id in CASE_NAMES or node.id.endswith("_case")
    )


def _case_writes(source: str, filename: str = "<source>") -> list[str]:
    """`select_for_update` on a Case query and `.save(` on a case, with their line numbers."""
    found = []
    for node in ast.walk(ast.parse(source, filename)):
        if not (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)):
            continue
        method, receiver = node.func.attr, node.func.value
        if method == "select_for_update" and _is_case(_root(receiver)):
            found.append(f"{filename}:{node.lineno} select_for_update on Case")
        elif method == "save" and _is_case(receiver):
            found.append(f"{filename}:{node.lineno} {ast.unparse(node.func)}()")
    return found


def test_the_write_path_check_sees_a_write_around_it():
    # A check that found nothing would pass the rule below.
    source = (
        "locked = Case.objects.select_for_update().get(pk=1)\n"
        "Case.objects.filter(pk=1).select_for_update(of=('self',)).first()\n"
        "case.save(update_fields=['status'])\n"
        "Case.save(other_case)\n"
        "step.save()\n"
        "Reminder.objects.select_for_update().first()\n"
    )
    lines = sorted(int(write.split(":")[1].split()[0]) for write in _case_writes(source))
    assert lines == [1, 2, 3, 4]


def test_a_case_is_locked_and_saved_only_through_locking():
    writes = sorted(
        write
        for module, path in SOURCES.items()
        if _under(module, "cases") and module != WRITE_PATH
        for write in _case_writes(path.read_text(), str(path.relative_to(ROOT)))
    )
    assert writes == []
