"""Reading a file: its bytes scanned once, gzip unpacked, the text made UTF-8 with one kind of line end."""

from __future__ import annotations

import codecs
import gzip
import hashlib
import re
import shutil
import tempfile
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from contextlib import suppress
from pathlib import Path

import numpy as np

from crm_metrics.importing.model import (
    BLOCK,
    CHUNK,
    MAX_DECOMPRESSED_BYTES,
    MAX_LINE_BYTES,
    FileFacts,
    ImportRejected,
    Problem,
)

# --------------------------------------------------------------------------------------------------
# 1. Bytes


_VALUE_BOUNDARY = np.zeros(256, dtype=bool)
_VALUE_BOUNDARY[list(b',;|\t"\n\r')] = True


def _blank_beside_boundary(chunk: bytes, before: bytes) -> bool:
    """Whether a space or tab in ``chunk`` stands beside a delimiter, quote or line break.

    A value's outer white space always does (a value starts after a delimiter, line break or quote and
    ends before one), so False proves that no value of the chunk needs trimming. ``before`` is the byte
    preceding the chunk (a line break at the start of the file).
    """
    if b" " not in chunk and b"\t" not in chunk and before not in (b" ", b"\t"):
        return False
    data = np.frombuffer(before + chunk, dtype=np.uint8)
    blanks = np.flatnonzero((data == 32) | (data == 9))
    if not len(blanks):
        return False
    # A blank ending the chunk meets the byte after it in the next call, where it is byte 0 (``before``);
    # byte 0's own left neighbour was judged in the previous call.
    right = blanks[blanks < len(data) - 1] + 1
    left = blanks[blanks > 0] - 1
    return bool(_VALUE_BOUNDARY[data[left]].any() or _VALUE_BOUNDARY[data[right]].any())


def scan_file(path: Path) -> FileFacts:
    """One streaming pass: hash, kind, encoding validity, line endings, longest line, blank edges.

    The longest line is measured exactly only when some aligned 512 KB block holds no line break (a
    line over 1 MB always leaves one); otherwise it is known to be under the limit. The SHA-256 runs
    on a second thread (hashlib releases the GIL), beside the byte checks.
    """
    size = path.stat().st_size
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        head = fh.read(8)
    kind = _kind(head)
    bom = _bom(head)
    decoder = codecs.getincrementaldecoder("utf-8")("strict")
    utf8_ok, invalid_line, nul_line = True, None, None
    lines, max_len, max_line_no, run, lone_cr, crlf = 0, 0, 0, 0, 0, 0
    last_byte, ascii_only, measure, blank_edges = b"", True, False, False
    with path.open("rb") as fh, ThreadPoolExecutor(max_workers=1) as hasher:
        hashing = None
        while chunk := fh.read(CHUNK):
            if hashing is not None:
                hashing.result()
            hashing = hasher.submit(digest.update, chunk)
            if kind != "csv" or bom in ("utf-16-le", "utf-16-be"):
                continue
            if nul_line is None and b"\x00" in chunk:
                nul_line = lines + chunk[: chunk.index(b"\x00")].count(b"\n") + 1
            if not chunk.isascii():
                ascii_only = False
                if utf8_ok:
                    try:
                        decoder.decode(chunk)
                    except UnicodeDecodeError as exc:
                        utf8_ok = False
                        invalid_line = lines + chunk[: exc.start].count(b"\n") + 1
            if ascii_only and not blank_edges:
                blank_edges = _blank_beside_boundary(chunk, last_byte or b"\n")
            measure = measure or any(b"\n" not in chunk[i: i + BLOCK]
                                     for i in range(0, len(chunk) - BLOCK + 1, BLOCK))
            straddling = 1 if last_byte == b"\r" and chunk[:1] == b"\n" else 0
            if b"\r" in chunk:  # a cheap search spares two counts on the usual LF-only file
                pairs = chunk.count(b"\r\n") + straddling
                crlf += pairs
                lone_cr += chunk.count(b"\r") - pairs + straddling
            else:
                crlf += straddling
            if measure:
                newlines = np.flatnonzero(np.frombuffer(chunk, dtype=np.uint8) == 10)
                if len(newlines):
                    lengths = np.diff(newlines, prepend=-1)
                    lengths[0] += run
                    k = int(lengths.argmax())
                    if lengths[k] - 1 > max_len:
                        max_len, max_line_no = int(lengths[k] - 1), lines + k + 1
                    run = len(chunk) - int(newlines[-1]) - 1
                else:
                    run += len(chunk)
                if run > max_len:
                    max_len, max_line_no = run, lines + len(newlines) + 1
                lines += len(newlines)
            else:
                newline_count = chunk.count(b"\n")
                run = len(chunk) - chunk.rindex(b"\n") - 1 if newline_count else run + len(chunk)
                lines += newline_count
            last_byte = chunk[-1:]
        if hashing is not None:
            hashing.result()
    blank_edges = blank_edges or last_byte in (b" ", b"\t")
    lone_cr = max(lone_cr - (1 if last_byte == b"\r" else 0), 0) + (1 if last_byte == b"\r" else 0)
    if utf8_ok and kind == "csv" and bom not in ("utf-16-le", "utf-16-be"):
        try:
            decoder.decode(b"", final=True)
        except UnicodeDecodeError:
            utf8_ok, invalid_line = False, lines + 1
    if size and last_byte not in (b"\n", b""):
        lines += 1
    return FileFacts(size, digest.hexdigest(), kind, bom, utf8_ok, invalid_line, lines, max_len, max_line_no,
                     lone_cr, crlf, nul_line, ascii_only, blank_edges)


def _kind(head: bytes) -> str:
    if head.startswith(b"PK\x03\x04") or head.startswith(b"PK\x05\x06"):
        return "zip"
    if head.startswith(b"%PDF"):
        return "pdf"
    if head.startswith(b"\xd0\xcf\x11\xe0"):
        return "ole"
    if head.startswith(b"\x1f\x8b"):
        return "gzip"
    return "csv"


def _bom(head: bytes) -> str | None:
    if head.startswith(codecs.BOM_UTF8):
        return "utf-8"
    if head.startswith(codecs.BOM_UTF16_LE):
        return "utf-16-le"
    if head.startswith(codecs.BOM_UTF16_BE):
        return "utf-16-be"
    return None


def _not_csv_problem(name: str, facts: FileFacts) -> Problem | None:
    messages = {
        "zip": "this looks like an Excel workbook (.xlsx) or a zip archive, not CSV text: in Excel, use "
               "File > Save As > CSV UTF-8, then upload that file",
        "ole": "this looks like an old Excel workbook (.xls), not CSV text: in Excel, use File > Save As > "
               "CSV UTF-8",
        "pdf": "this is a PDF document, not CSV text: export the data from its source as CSV",
    }
    if facts.size == 0:
        return Problem(name, None, None, None, "the file is empty (0 bytes)")
    if facts.kind in messages:
        return Problem(name, None, None, None, messages[facts.kind])
    if facts.nul_line is not None:
        return Problem(name, facts.nul_line, None, None,
                       "contains binary data (NUL bytes): this does not look like a CSV text file")
    return None


def _gunzip(path: Path, workdir: Path, name: str) -> Path:
    """Decompress a gzip upload with a hard size cap (a decompression bomb stops at the cap)."""
    target = workdir / "decompressed.csv"
    written = 0
    try:
        with gzip.open(path, "rb") as src, target.open("wb") as dst:
            while chunk := src.read(CHUNK):
                written += len(chunk)
                if written > MAX_DECOMPRESSED_BYTES:
                    raise ImportRejected([Problem(name, None, None, None,
                                                  f"decompresses to more than {MAX_DECOMPRESSED_BYTES // 1024**3} GB "
                                                  "(the limit); split the file or upload it uncompressed")])
                dst.write(chunk)
    except (OSError, EOFError) as exc:
        raise ImportRejected([Problem(name, None, None, None, f"is not a readable gzip file ({exc})")]) from exc
    return target


def _readable(path: Path, workdir: Path, name: str) -> tuple[Path, FileFacts, str]:
    """The file to read (gzip unpacked), its facts, and the SHA-256 of the bytes the user gave (the
    ledger identifies files by those, not by our decompressed or transcoded copy)."""
    facts = scan_file(path)
    if facts.kind == "gzip":
        unpacked = _gunzip(path, workdir, name)
        return unpacked, scan_file(unpacked), facts.sha256
    return _literal_path(path, workdir), facts, facts.sha256


_GLOB = re.compile(r"[*?\[\]{}]")


def _literal_path(path: Path, workdir: Path) -> Path:
    """A name DuckDB's reader takes literally: it expands *, ?, [..] and {..} as patterns, so that
    ``orders[1].csv`` would read ``orders1.csv``; such a file is read through a link with a plain name."""
    if not _GLOB.search(str(path)):
        return path
    link = workdir / f"named-file-{uuid.uuid4().hex}.csv"
    link.symlink_to(path.resolve())
    return link


def _check_bytes(name: str, facts: FileFacts, encoding: str) -> None:
    problems = []
    if encoding.lower() in ("utf-8", "utf8") and not facts.utf8_ok and facts.bom not in ("utf-16-le", "utf-16-be"):
        problems.append(Problem(name, facts.invalid_utf8_line, None, None,
                                "is not valid UTF-8 here (a damaged or mixed-encoding file); save it again as "
                                "CSV UTF-8"))
    if facts.max_line_bytes > MAX_LINE_BYTES:
        problems.append(Problem(name, facts.max_line_no, None, None,
                                f"the line is {facts.max_line_bytes:,} bytes long; the limit is "
                                f"{MAX_LINE_BYTES:,} bytes per line"))
    if problems:
        raise ImportRejected(problems)


def _utf8_lf(path: Path, facts: FileFacts, encoding: str, workdir: Path) -> Path:
    """The file as UTF-8 with one kind of line ending; the original when it already is."""
    utf8 = encoding.lower().replace("_", "-") in ("utf-8", "utf8") and facts.bom not in ("utf-16-le", "utf-16-be")
    if utf8 and not facts.lone_cr and not facts.crlf:
        return path
    target = workdir / "normalised.csv"
    codec = "utf-8-sig" if utf8 else encoding
    decoder = codecs.getincrementaldecoder(codec)("strict")
    pending_cr, quoted = False, False
    try:
        with path.open("rb") as src, target.open("w", encoding="utf-8", newline="") as dst:
            while chunk := src.read(CHUNK):
                text = decoder.decode(chunk)
                if pending_cr:
                    text = "\r" + text
                pending_cr = text.endswith("\r")
                if pending_cr:
                    text = text[:-1]
                text, quoted = _line_ends_outside_quotes(text, quoted)
                dst.write(text)
            tail = decoder.decode(b"", final=True) + ("\r" if pending_cr else "")
            dst.write(_line_ends_outside_quotes(tail, quoted)[0])
    except (UnicodeDecodeError, LookupError) as exc:
        raise ImportRejected([Problem(str(path.name), None, None, None,
                                      f"cannot be read as {encoding}: {exc}")]) from exc
    return target


def _line_ends_outside_quotes(text: str, quoted: bool) -> tuple[str, bool]:
    """``text`` with the line ends between records made LF (CRLF and a lone CR), and whether it ends inside a
    quoted value. Line breaks inside a quoted value are the value's own and stay as written (a note typed on
    Windows keeps its CRLF). Splitting at quotes alternates between outside and inside; an escaped quote ("")
    leaves an empty piece and so keeps the count right."""
    if "\r" not in text:
        return text, (quoted + text.count('"')) % 2 == 1
    pieces = text.split('"')
    for i in range(0 if not quoted else 1, len(pieces), 2):
        pieces[i] = pieces[i].replace("\r\n", "\n").replace("\r", "\n")
    return '"'.join(pieces), (quoted + len(pieces) - 1) % 2 == 1


def _blank_lines(csv_path: Path) -> int:
    """Empty physical lines (the reader skips them), counted in one extra pass."""
    blank, previous = 0, b"\n"
    with csv_path.open("rb") as fh:
        while chunk := fh.read(CHUNK):
            arr = np.frombuffer(chunk, dtype=np.uint8)
            newline = arr == 10
            before = np.concatenate(([previous == b"\n"], newline[:-1]))
            blank += int(np.count_nonzero(newline & before))
            previous = chunk[-1:]
    return blank


WORK_PREFIXES = ("crm-import-", "crm-source-", "crm-propose-")
WORK_TTL_SECONDS = 24 * 3600  # no import runs this long: a folder untouched for a day is a dead one's


def sweep_work_folders(*, now: float | None = None) -> int:
    """Remove the working folders of imports killed before their clean-up ran (``crm-import-*`` and the like in
    the temporary folder) once untouched for longer than :data:`WORK_TTL_SECONDS`; how many. A running
    import touches its folder as it writes, so only a dead one's is that old."""
    cutoff = (time.time() if now is None else now) - WORK_TTL_SECONDS
    removed = 0
    for prefix in WORK_PREFIXES:
        for folder in Path(tempfile.gettempdir()).glob(f"{prefix}*"):
            with suppress(OSError):
                if folder.is_dir() and folder.stat().st_mtime < cutoff:
                    shutil.rmtree(folder, ignore_errors=True)
                    removed += 1
    return removed
