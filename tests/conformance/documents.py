"""Every JSON example in Noyo's documents (``shared/seeds/*.txt``), with where it came from.

The documents are the contract; this module reads them the way a person does:

1. A ``curl`` code sample names the method and the URL (``-X GET`` / ``--request POST``,
   the URL on a line of its own or after ``--url``). A JSON body inside ``--data '...'``
   is a request body.
2. A JSON block (a line that starts with ``{`` or ``[``, pretty-printed over many lines) is
   decoded whole. The text line just before it says what it is: "Example Response" is the
   answer to the last code sample; "Body Parameter" is what that sample sends; "Sample ...
   Result" shows the shape of a ``result`` field and has no path of its own. A block that
   follows a code sample with no text in between (the new reference, seed 003) is its answer.
3. A block that does not decode (some result samples are not valid JSON) is kept in
   ``unparsed`` with the decoder's complaint, so nothing is dropped silently.

CI has no ``shared/`` directory, so the examples live in ``documents.json`` beside this
file. Regenerate it after the seeds change::

    python -m tests.conformance.documents [SEEDS_DIR]

``test_documents.py`` re-extracts and compares whenever the seeds are at hand.
"""

from __future__ import annotations

import json
import os
import re
import shlex
import sys
from pathlib import Path
from urllib.parse import parse_qsl, urlsplit

HERE = Path(__file__).resolve().parent
FIXTURE = HERE / "documents.json"
REPO = HERE.parents[1]
SEEDS_ENV = "NOYO_SEEDS_DIR"

RESPONSE, REQUEST, RESULT_SAMPLE, UNLABELLED = "response", "request", "result_sample", "unlabelled"
_STATUS = re.compile(r"\b([1-5][0-9][0-9])\b")
_DECODER = json.JSONDecoder()


def seeds_dir() -> Path:
    """Where the seeds are: $NOYO_SEEDS_DIR, else ``../shared/seeds`` beside the repository."""
    return Path(os.environ.get(SEEDS_ENV) or REPO.parent / "shared" / "seeds")


def extract_all(directory: Path) -> dict:
    """The fixture's content for every ``*.txt`` seed in ``directory``, in file-name order."""
    examples, unparsed = [], []
    for seed in sorted(directory.glob("*.txt")):
        found, failed = extract(seed.name, seed.read_text(encoding="utf-8"))
        examples += found
        unparsed += failed
    return {"examples": examples, "unparsed": unparsed}


def extract(seed: str, text: str) -> tuple[list[dict], list[dict]]:
    """(examples, unparsed blocks) of one seed. Line numbers are 1-based, as editors show them."""
    lines = text.splitlines()
    starts = _line_offsets(lines)
    joined = "\n".join(lines)
    examples, unparsed = [], []
    sample = None  # the last code sample: {"method", "url", "line"}
    label = ""  # the last line of prose before the current block
    after_sample = False  # nothing but the code sample since it ended
    i = 0
    while i < len(lines):
        stripped = lines[i].strip()
        if not stripped:
            i += 1
            continue
        if stripped.startswith("curl"):
            sample, body, i = _read_curl(seed, lines, i)
            if body is not None:
                examples.append(body)
            label, after_sample = "", True
            continue
        if stripped[0] in "{[":
            at = starts[i] + lines[i].index(stripped[0])
            try:
                value, end = _DECODER.raw_decode(joined, at)
            except ValueError as error:
                end = _block_end(joined, at)
                unparsed.append({"seed": seed, "line": i + 1, "label": label, "error": str(error)})
                i = _line_of(starts, end) + 1
                continue
            kind = _kind(label, after_sample, sample)
            examples.append(_example(seed, i + 1, kind, label or "(directly after the code sample)", sample, value))
            i = _line_of(starts, end - 1) + 1
            after_sample = False
            continue
        label = stripped
        after_sample = False
        i += 1
    return examples, unparsed


def _kind(label: str, after_sample: bool, sample) -> str:
    lowered = label.lower()
    if lowered.startswith("sample") and "result" in lowered:
        return RESULT_SAMPLE
    if sample is None:
        return UNLABELLED
    if "example response" in lowered or after_sample:
        return RESPONSE
    if "body parameter" in lowered or "request body" in lowered:
        return REQUEST
    return UNLABELLED


def _example(seed: str, line: int, kind: str, label: str, sample, value) -> dict:
    placed = kind in (RESPONSE, REQUEST) and sample is not None
    url = sample["url"] if placed else None
    parts = urlsplit(url) if url else None
    status = _STATUS.search(label)
    return {
        "seed": seed,
        "line": line,
        "kind": kind,
        "label": label,
        "method": sample["method"] if placed else None,
        "url": url,
        "path": parts.path if parts else None,
        "query": dict(parse_qsl(parts.query, keep_blank_values=True)) if parts else {},
        "status": int(status.group(1)) if status and kind == RESPONSE else None,
        "sample_line": sample["line"] if placed else None,
        "json": value,
    }


def _read_curl(seed: str, lines: list[str], i: int) -> tuple[dict, dict | None, int]:
    """Read the code sample starting at line ``i``: (sample, its --data body example or None, next line).

    A sample goes on while a line continues it: an option (``--header``), the URL, a line
    after a trailing backslash, or anything inside an open quote (a multi-line ``--data``).
    """
    command = [lines[i]]
    j = i + 1
    while j < len(lines):
        so_far = "\n".join(command)
        nxt = lines[j].strip()
        if not (_open_quote(so_far) or so_far.rstrip().endswith("\\") or nxt.startswith(("-", "http"))):
            break
        command.append(lines[j])
        j += 1
    words = shlex.split("\n".join(command).replace("\\\n", " "))
    method, url, data = None, None, None
    for at, word in enumerate(words):
        following = words[at + 1] if at + 1 < len(words) else None
        if word in ("-X", "--request"):
            method = following
        elif word == "--url":
            url = following
        elif word in ("-d", "--data", "--data-raw"):
            data = following
        elif url is None and word.startswith("http"):
            url = word
    method = (method or ("POST" if data is not None else "GET")).upper()
    sample = {"method": method, "url": url, "line": i + 1}
    body = None
    if data is not None:
        data_line = next(k for k in range(i, j) if "--data" in lines[k] or lines[k].strip().startswith("-d")) + 1
        try:
            body = _example(seed, data_line, REQUEST, "curl --data", sample, json.loads(data))
        except ValueError:
            body = None
    return sample, body, j


def _open_quote(text: str) -> bool:
    try:
        shlex.split(text.replace("\\\n", " "))
    except ValueError:
        return True
    return False


def _block_end(text: str, at: int) -> int:
    """The offset just past the bracket that closes the block opened at ``at`` (strings skipped)."""
    depth, in_string, escaped = 0, False, False
    for offset in range(at, len(text)):
        char = text[offset]
        if in_string:
            if escaped:
                escaped = False
            elif char == "\\":
                escaped = True
            elif char == '"':
                in_string = False
        elif char == '"':
            in_string = True
        elif char in "{[":
            depth += 1
        elif char in "}]":
            depth -= 1
            if depth == 0:
                return offset + 1
    return at + 1


def _line_offsets(lines: list[str]) -> list[int]:
    offsets, total = [], 0
    for line in lines:
        offsets.append(total)
        total += len(line) + 1
    return offsets


def _line_of(starts: list[int], offset: int) -> int:
    low, high = 0, len(starts) - 1
    while low < high:
        middle = (low + high + 1) // 2
        if starts[middle] <= offset:
            low = middle
        else:
            high = middle - 1
    return low


def load() -> dict:
    """The committed fixture."""
    return json.loads(FIXTURE.read_text(encoding="utf-8"))


def dumps(content: dict) -> str:
    return json.dumps(content, indent=1, ensure_ascii=False) + "\n"


def summary(content: dict) -> str:
    """Examples per seed and kind, and what could not be placed at a path: for people, after a write."""
    lines = []
    seeds = sorted({e["seed"] for e in content["examples"]} | {u["seed"] for u in content["unparsed"]})
    for seed in seeds:
        mine = [e for e in content["examples"] if e["seed"] == seed]
        kinds = {kind: sum(e["kind"] == kind for e in mine) for kind in (RESPONSE, REQUEST, RESULT_SAMPLE, UNLABELLED)}
        bad = [u for u in content["unparsed"] if u["seed"] == seed]
        lines.append(f"{seed}: {len(mine)} examples {kinds}, {len(bad)} not valid JSON")
        for example in mine:
            if example["path"] is None:
                lines.append(f"  not placed: line {example['line']} ({example['kind']}: {example['label']})")
        for block in bad:
            lines.append(f"  not JSON: line {block['line']} ({block['label']}): {block['error']}")
    return "\n".join(lines)


if __name__ == "__main__":
    source = Path(sys.argv[1]) if len(sys.argv) > 1 else seeds_dir()
    extracted = extract_all(source)
    FIXTURE.write_text(dumps(extracted), encoding="utf-8")
    print(summary(extracted))
    print(f"wrote {FIXTURE.relative_to(REPO)}")
