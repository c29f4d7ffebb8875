"""The code examples of README.md and docs/ compile, and the self-contained ones run.

Every ```python block must compile. Blocks are marked with HTML comments (invisible once
rendered) to be run as well:

``<!-- test: run -->`` on the line before a python fence
    the block runs as a script, in a temporary directory holding the page's files.
``<!-- test: pytest -->`` on the line before a python fence
    the block runs as a test module: each ``test_*`` function is called with a real
    ``SfnHarness`` (what the ``sfn`` fixture returns) honouring ``pytestmark`` and
    ``@pytest.mark.sfn``. Relative definition paths start at the directory of the block's
    ``title="..."`` (the temporary directory without a title).
``<!-- test: setup -->`` on the line before a python fence
    the block runs before every later ``run``/``pytest`` block of the same page, in the same
    namespace (shared imports, helpers, ``pytestmark``).
``<!-- test: output -->`` on the line before a text fence
    the block is exactly what the ``run`` block before it prints.
``<!-- file: NAME -->`` on the line before a json/yaml fence
    the block's text is the file ``NAME`` for the page's examples. A json/yaml fence with a
    ``title="NAME"`` attribute is a file too.
``<!-- file: NAME from PATH -->`` anywhere on a page
    the repository file ``PATH`` is copied to ``NAME`` for the page's examples.
"""

from __future__ import annotations

import contextlib
import inspect
import io
import json
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import Any

import pytest

from pytest_sfn.plugin import SfnHarness, SfnOptions

ROOT = Path(__file__).resolve().parents[1]
PAGES = sorted([ROOT / "README.md", *(ROOT / "docs").rglob("*.md")])

_FENCE = re.compile(r"^(?P<indent>[ \t]*)(?P<fence>`{3,}|~{3,})(?P<info>[^`]*)$")
_MARKER = re.compile(r"^[ \t]*<!--\s*(?P<kind>test|file):\s*(?P<value>.*?)\s*-->[ \t]*$")
_TITLE = re.compile(r'title="(?P<title>[^"]+)"')
_COPY = re.compile(r"^(?P<name>\S+)\s+from\s+(?P<source>\S+)$")
_TEST_MODES = ("run", "pytest", "setup", "output")
_FILE_LANGUAGES = ("json", "yaml", "yml")


@dataclass(frozen=True)
class Block:
    """One fenced code block of a page."""

    language: str
    title: str | None
    code: str
    line: int  # 1-based line of the opening fence
    marker: tuple[str, str] | None  # ("test", "run") or ("file", "payment.asl.json")


@dataclass
class Page:
    """The blocks and file markers of one Markdown page."""

    path: Path
    blocks: list[Block] = field(default_factory=list)
    copies: dict[str, str] = field(default_factory=dict)  # NAME -> repository PATH

    @property
    def name(self) -> str:
        return self.path.relative_to(ROOT).as_posix() if self.path.is_absolute() else str(self.path)

    @property
    def python(self) -> list[Block]:
        return [b for b in self.blocks if b.language == "python"]

    def output_after(self, block: Block) -> str | None:
        """The ``test: output`` block right after ``block``, if any."""
        position = self.blocks.index(block)
        following = self.blocks[position + 1 : position + 2]
        if following and following[0].marker == ("test", "output"):
            return following[0].code
        return None


def parse_markdown(text: str, path: Path) -> Page:
    """Split ``text`` into fenced blocks, with the marker on the line before each fence.

    Raises:
        ValueError: an unknown or misplaced marker, or an unterminated fence.
    """
    page = Page(path)
    lines = text.splitlines()
    pending: tuple[str, str, int] | None = None
    i = 0
    while i < len(lines):
        line = lines[i]
        marker = _MARKER.match(line)
        if marker:
            kind, value = marker["kind"], marker["value"]
            copy = _COPY.match(value) if kind == "file" else None
            if copy:
                page.copies[copy["name"]] = copy["source"]
            elif kind == "test" and value not in _TEST_MODES:
                raise ValueError(f"{path}:{i + 1}: unknown marker 'test: {value}'")
            else:
                pending = (kind, value, i + 1)
            i += 1
            continue
        fence = _FENCE.match(line)
        if not fence:
            if pending is not None and line.strip():
                raise ValueError(f"{path}:{pending[2]}: a marker must be followed by a fence")
            i += 1
            continue
        indent, ticks, info = fence["indent"], fence["fence"], fence["info"].strip()
        body: list[str] = []
        j = i + 1
        while j < len(lines) and not (
            lines[j].strip().startswith(ticks) and lines[j].strip().strip(ticks[0]) == ""
        ):
            body.append(lines[j][len(indent) :] if lines[j].startswith(indent) else lines[j])
            j += 1
        if j == len(lines):
            raise ValueError(f"{path}:{i + 1}: unterminated code fence")
        language = info.split()[0].lower() if info else ""
        title = _TITLE.search(info)
        block_marker = (pending[0], pending[1]) if pending else None
        _check_marker(path, i + 1, language, block_marker)
        page.blocks.append(
            Block(
                language,
                title["title"] if title else None,
                "\n".join(body) + "\n",
                i + 1,
                block_marker,
            )  # fmt: skip
        )
        pending = None
        i = j + 1
    if pending is not None:
        raise ValueError(f"{path}:{pending[2]}: a marker must be followed by a fence")
    return page


def _check_marker(path: Path, line: int, language: str, marker: tuple[str, str] | None) -> None:
    if marker is None:
        return
    kind, value = marker
    if kind == "test" and value == "output":
        if language not in ("text", "console", ""):
            raise ValueError(f"{path}:{line}: 'test: output' goes before a text block")
    elif kind == "test" and language != "python":
        raise ValueError(f"{path}:{line}: 'test:' markers go before python blocks")
    if kind == "file" and language not in _FILE_LANGUAGES:
        raise ValueError(f"{path}:{line}: 'file:' markers go before json or yaml blocks")


def page_files(page: Page) -> dict[str, str]:
    """Relative path -> content of every file the page's examples may read."""
    files: dict[str, str] = {}
    for name, source in page.copies.items():
        files[name] = (ROOT / source).read_text(encoding="utf-8")
    for block in page.blocks:
        name = None
        if block.marker is not None and block.marker[0] == "file":
            name = block.marker[1]
        elif block.language in _FILE_LANGUAGES and block.title:
            name = block.title
        if name is not None:
            files[name] = block.code
    return files


def _load_pages() -> list[Page]:
    return [parse_markdown(p.read_text(encoding="utf-8"), p) for p in PAGES]


ALL_PAGES = _load_pages()


def _cases(modes: tuple[str, ...] | None) -> Iterator[Any]:
    for page in ALL_PAGES:
        for index, block in enumerate(page.python):
            mode = block.marker[1] if block.marker and block.marker[0] == "test" else None
            if modes is None or mode in modes:
                yield pytest.param(page, index, id=f"{page.name}-{index}")


# --- the checks ---------------------------------------------------------------------------


@pytest.mark.parametrize(("page", "index"), list(_cases(None)))
def test_python_block_compiles(page: Page, index: int) -> None:
    block = page.python[index]
    compile(block.code, f"{page.name}:{block.line}", "exec")


@pytest.mark.parametrize(("page", "index"), list(_cases(("run", "pytest"))))
def test_marked_block_runs(
    page: Page, index: int, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    for name, content in page_files(page).items():
        target = tmp_path / PurePosixPath(name)
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(content, encoding="utf-8")
        _check_file_syntax(target, content)
    monkeypatch.chdir(tmp_path)
    namespace: dict[str, Any] = {"__name__": "docs_example"}
    block = page.python[index]
    for earlier in page.python[:index]:
        if earlier.marker == ("test", "setup"):
            _exec(earlier, page, namespace)
    printed = io.StringIO()
    with contextlib.redirect_stdout(printed):
        _exec(block, page, namespace)
    expected = page.output_after(block)
    if expected is not None:
        assert printed.getvalue() == expected
    if block.marker == ("test", "pytest"):
        base_dir = tmp_path / PurePosixPath(block.title).parent if block.title else tmp_path
        ran = _run_test_functions(namespace, base_dir)
        assert ran, f"{page.name}:{block.line}: a 'test: pytest' block defines no test_ function"


def _exec(block: Block, page: Page, namespace: dict[str, Any]) -> None:
    exec(compile(block.code, f"{page.name}:{block.line}", "exec"), namespace)


def _check_file_syntax(target: Path, content: str) -> None:
    if target.suffix == ".json":
        json.loads(content)
    elif target.suffix in (".yaml", ".yml"):
        # CloudFormation/SAM short-form tags (!Ref, !GetAtt...) are valid in templates.
        from pytest_sfn.loading.cfn_yaml import decode_template

        decode_template(content, source=target.name, yaml_text=True)


def _sfn_marks(obj: Any) -> list[tuple[tuple[Any, ...], dict[str, Any]]]:
    marks = obj if isinstance(obj, list) else [obj] if obj is not None else []
    found = []
    for mark in marks:
        mark = getattr(mark, "mark", mark)  # a MarkDecorator holds its Mark
        if mark.name == "sfn":
            found.append((mark.args, dict(mark.kwargs)))
    return found


def _run_test_functions(namespace: dict[str, Any], base_dir: Path) -> int:
    """Call each ``test_*`` function of the block with the ``sfn`` harness."""
    ran = 0
    module_marks = _sfn_marks(namespace.get("pytestmark"))
    for name, function in list(namespace.items()):
        if not (name.startswith("test") and inspect.isfunction(function)):
            continue
        parameters = list(inspect.signature(function).parameters)
        assert set(parameters) <= {"sfn"}, (
            f"{name}: docs examples may only request the sfn fixture, not {parameters}"
        )
        markers = [*_sfn_marks(getattr(function, "pytestmark", [])), *module_marks]
        harness = SfnHarness(
            base_dir=base_dir, options=SfnOptions.from_markers(markers), _ispytest=True
        )
        function(**({"sfn": harness} if parameters else {}))
        ran += 1
    return ran


# --- the checks are meaningful ---------------------------------------------------------------


def test_pages_are_found_and_many_examples_run() -> None:
    names = {page.name for page in ALL_PAGES}
    assert {"README.md", "docs/index.md", "docs/how-to/local-client.md"} <= names
    runnable = list(_cases(("run", "pytest")))
    # Most examples are complete: a silent drop in this count means markers were lost.
    assert len(runnable) >= 25, len(runnable)


def test_every_marked_file_is_used_by_a_runnable_block() -> None:
    for page in ALL_PAGES:
        if page_files(page):
            modes = {b.marker for b in page.python}
            assert modes & {("test", "run"), ("test", "pytest")}, page.name


@pytest.mark.parametrize(
    ("markdown", "expected"),
    [
        pytest.param(
            '<!-- file: a.asl.json -->\n```json\n{"StartAt": "A"}\n```\n',
            [("json", None, '{"StartAt": "A"}\n', ("file", "a.asl.json"))],
            id="file-marker",
        ),
        pytest.param(
            '<!-- test: pytest -->\n```python title="tests/test_a.py"\nx = 1\n```\n',
            [("python", "tests/test_a.py", "x = 1\n", ("test", "pytest"))],
            id="title-and-marker",
        ),
        pytest.param(
            "??? example\n\n    <!-- test: setup -->\n    ```python\n    def f():\n"
            "        return 1\n    ```\n",
            [("python", None, "def f():\n    return 1\n", ("test", "setup"))],
            id="indented-in-admonition",
        ),
        pytest.param(
            "````markdown\n```python\nnot a block\n```\n````\n",
            [("markdown", None, "```python\nnot a block\n```\n", None)],
            id="longer-outer-fence",
        ),
        pytest.param("text\n\n```\nplain\n```\n", [("", None, "plain\n", None)], id="no-info"),
    ],
)
def test_parse_markdown(markdown: str, expected: list[tuple[Any, ...]]) -> None:
    page = parse_markdown(markdown, Path("x.md"))
    assert [(b.language, b.title, b.code, b.marker) for b in page.blocks] == expected


def test_output_block_belongs_to_the_block_right_before_it() -> None:
    page = parse_markdown(
        "<!-- test: run -->\n```python\nprint(1)\n```\n\nprints\n\n"
        "<!-- test: output -->\n```text\n1\n```\n"
        "<!-- test: run -->\n```python\nprint(2)\n```\n",
        Path("x.md"),
    )
    first, second = page.python
    assert page.output_after(first) == "1\n"
    assert page.output_after(second) is None


def test_parse_markdown_reads_copy_markers() -> None:
    page = parse_markdown("<!-- file: o.asl.json from example/o.asl.json -->\n", Path("x.md"))
    assert page.copies == {"o.asl.json": "example/o.asl.json"}
    assert page.blocks == []


@pytest.mark.parametrize(
    ("markdown", "problem"),
    [
        pytest.param("<!-- test: runn -->\n```python\nx\n```\n", "unknown marker", id="typo"),
        pytest.param("<!-- test: run -->\ntext\n", "followed by a fence", id="no-fence"),
        pytest.param("<!-- test: run -->\n```json\n{}\n```\n", "before python", id="test-json"),
        pytest.param("<!-- test: output -->\n```json\n{}\n```\n", "text block", id="out-json"),
        pytest.param("<!-- file: a.py -->\n```python\nx\n```\n", "json or yaml", id="file-py"),
        pytest.param("```python\nx = 1\n", "unterminated", id="unterminated"),
    ],
)
def test_parse_markdown_rejects_broken_markers(markdown: str, problem: str) -> None:
    with pytest.raises(ValueError, match=problem):
        parse_markdown(markdown, Path("x.md"))


def test_copied_files_exist() -> None:
    for page in ALL_PAGES:
        for name, source in page.copies.items():
            assert (ROOT / source).is_file(), f"{page.name}: {name} from missing {source}"


def test_page_files_come_from_markers_titles_and_copies() -> None:
    page = parse_markdown(
        '<!-- file: d/a.json -->\n```json\n{"a": 1}\n```\n'
        '```yaml title="b.asl.yaml"\nStartAt: B\n```\n'
        "```json\n{}\n```\n"  # neither marked nor titled: not a file
        "<!-- file: c.asl.json from example_project/statemachines/order_processing.asl.json -->\n",
        Path("x.md"),
    )
    files = page_files(page)
    assert sorted(files) == ["b.asl.yaml", "c.asl.json", "d/a.json"]
    assert files["d/a.json"] == '{"a": 1}\n'
    assert files["b.asl.yaml"] == "StartAt: B\n"
    assert json.loads(files["c.asl.json"])["StartAt"] == "ValidateOrder"
