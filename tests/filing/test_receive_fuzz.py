"""Property-based fuzzing of ``receive`` (issue 11): whatever is done to a signed package — bytes
flipped or cut, manifest values replaced by any JSON, result tables replaced by any text, re-signed
or not — receiving it either records exactly one filing or raises a ``WorkbenchError`` and records
nothing. Never a traceback of another kind, never a half-written archive."""

from __future__ import annotations

import hashlib
import io
import zipfile
from datetime import date

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from workbench.errors import WorkbenchError
from workbench.filing.keys import load_private_key
from workbench.filing.package import package_files, read_filings, receive_package, zip_package

ROUND, AREA, ON = "2019-370786", "370786", date(2019, 6, 10)
FUZZ = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture,
                                                                       HealthCheck.too_slow])
json_values = st.recursive(
    st.none() | st.booleans() | st.integers(-2**70, 2**70) | st.floats(allow_nan=True) | st.text(max_size=30),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=10), inner, max_size=4),
    max_leaves=20)


@pytest.fixture
def setting(demo_archive, demo_db):
    manifest, files = package_files(demo_archive, ROUND, "李晓梅", ON)
    return demo_archive, manifest, files, load_private_key(demo_db.parent / "keys" / f"{AREA}.key")


def _receive_is_whole_or_nothing(archive, data: bytes) -> None:
    before = len(read_filings(archive))
    try:
        row = receive_package(archive, data, "fuzz.zip", "孙丽华", date(2019, 6, 12))
    except WorkbenchError as exc:
        assert "fuzz.zip" in str(exc)  # every refusal names the file
        assert len(read_filings(archive)) == before
        return
    assert len(read_filings(archive)) == before + (1 if row["new"] else 0)


@FUZZ
@given(cuts=st.lists(st.tuples(st.integers(0, 10**6), st.binary(min_size=1, max_size=8)), max_size=6),
       truncate=st.none() | st.integers(0, 10**6))
def test_flipped_or_cut_bytes(setting, cuts, truncate):
    archive, manifest, files, key = setting
    data = bytearray(zip_package(manifest, files, ON, key))
    for at, chunk in cuts:
        at %= len(data)
        data[at:at + len(chunk)] = chunk
    if truncate is not None:
        data = data[:truncate % (len(data) + 1)]
    _receive_is_whole_or_nothing(archive, bytes(data))


@FUZZ
@given(changes=st.dictionaries(st.sampled_from(["format", "round_id", "area", "year", "eval_date", "feedback_on",
                                                "filed_on", "catalogue_hash", "files", "counts", "window",
                                                "key_id", "filed_by", "weights", "extra"]),
                               json_values, min_size=1, max_size=3),
       drop=st.lists(st.sampled_from(["round_id", "files", "counts", "filed_on", "year"]), max_size=2),
       resign=st.booleans())
def test_manifest_values_replaced(setting, changes, drop, resign):
    archive, manifest, files, key = setting
    bad = {k: v for k, v in {**manifest, **changes}.items() if k not in drop}
    if resign:
        data = zip_package(bad, files, ON, key)
    else:  # the signed manifest's bytes swapped for the changed ones
        good = zip_package(manifest, files, ON, key)
        data = _swap(good, "manifest.json", zip_package(bad, files, ON, None))
    _receive_is_whole_or_nothing(archive, data)


@FUZZ
@given(name=st.sampled_from(["results.csv", "units.csv", "work_log.csv", "rectification.csv", "decisions.csv"]),
       text=st.text(max_size=300) | st.binary(max_size=300).map(lambda b: b.decode("latin-1")),
       keep_header=st.booleans())
def test_tables_replaced_and_re_signed(setting, name, text, keep_header):
    archive, manifest, files, key = setting
    header = files[name].decode("utf-8-sig").split("\n")[0] + "\n" if keep_header else ""
    files = {**files, name: (header + text).encode("utf-8", "surrogatepass")}
    manifest = {**manifest, "files": {n: hashlib.sha256(d).hexdigest() for n, d in sorted(files.items())}}
    _receive_is_whole_or_nothing(archive, zip_package(manifest, files, ON, key))


def _swap(good: bytes, name: str, donor: bytes) -> bytes:
    with zipfile.ZipFile(io.BytesIO(donor)) as z:
        new = z.read(name)
    buf = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(good)) as zin, zipfile.ZipFile(buf, "w") as zout:
        for info in zin.infolist():
            zout.writestr(info, new if info.filename == name else zin.read(info))
    return buf.getvalue()
