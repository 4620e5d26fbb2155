"""Signed filing packages (issue 11): keys, and every way a package must be refused by ``receive``.

Each hostile case is (what is done to a good, signed package → the words the refusal must hold).
A refusal names the file and the reason in the user's language, stores nothing (the SQLite file is
byte-identical) and, through the CLI, exits non-zero without a traceback."""

from __future__ import annotations

import hashlib
import io
import json
import os
import stat
import subprocess
import sys
import warnings
import zipfile
from datetime import date

import pytest

from workbench.demo.filing import DEMO_MISSING
from workbench.filing.keys import (
    load_private_key,
    new_key_pair,
    read_keys,
    register_key,
    revoke_key,
)
from workbench.filing.package import (
    FilingRejected,
    package_files,
    read_filings,
    receive_package,
    zip_package,
)
from workbench.rounds.lifecycle import create_round

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
ROUND, AREA = DEMO_MISSING[0], "370786"
ON, RECEIVED = date(2019, 6, 10), date(2019, 6, 12)


@pytest.fixture
def key(demo_db):
    return load_private_key(demo_db.parent / "keys" / f"{AREA}.key")


@pytest.fixture
def parts(demo_archive):
    """(manifest, files) of the demo's never-filed round, built once per test."""
    return package_files(demo_archive, ROUND, "李晓梅", ON)


def _zip(entries: list[tuple[zipfile.ZipInfo | str, bytes]]) -> bytes:
    buf = io.BytesIO()
    with warnings.catch_warnings(), zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        warnings.simplefilter("ignore")  # duplicate names, on purpose
        for info, data in entries:
            z.writestr(info, data)
    return buf.getvalue()


def _entries(data: bytes) -> list[tuple[zipfile.ZipInfo, bytes]]:
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        return [(i, z.read(i)) for i in z.infolist()]


def _resign(manifest: dict, files: dict[str, bytes], key) -> bytes:
    """A package whose manifest is re-hashed and re-signed by ``key``: self-consistent, only the
    change under test is wrong."""
    manifest = {**manifest, "files": {n: hashlib.sha256(d).hexdigest() for n, d in sorted(files.items())}}
    return zip_package(manifest, files, ON, key)


def _with_manifest(data: bytes, body: bytes) -> bytes:
    return _zip([(i, body if i.filename == "manifest.json" else d) for i, d in _entries(data)])


def _info(name: str, **attrs) -> zipfile.ZipInfo:
    info = zipfile.ZipInfo(name, (2019, 6, 10, 0, 0, 0))
    info.compress_type = zipfile.ZIP_DEFLATED
    for k, v in attrs.items():
        setattr(info, k, v)
    return info


def _manifest_of(data: bytes) -> dict:
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        return json.loads(z.read("manifest.json"))


def _nested(n: int):
    v: object = 1
    for _ in range(n):
        v = [v]
    return v


def _cases(m: dict, files: dict[str, bytes], key, other_key, good: bytes):
    """name → (package bytes, words the refusal must contain). ``m`` is the unsigned manifest."""
    results = files["results.csv"].decode("utf-8-sig")
    edited = {**_manifest_of(good), "filed_on": "2019-06-01"}
    yield "unsigned", zip_package(m, files, ON, None), "未签名"
    yield "manifest edited after signing", _with_manifest(good, json.dumps(edited).encode()), "签名与 manifest.json 不符"
    yield "key not registered", zip_package(m, files, ON, other_key), "未在市级登记"
    yield "entry altered", _zip([(i, d + b"x" if i.filename == "units.csv" else d) for i, d in _entries(good)]), \
        "units.csv 的 SHA-256"
    yield "entry added", _zip(_entries(good) + [(_info("extra.txt"), b"hi")]), "extra.txt 未列入清单"
    yield "year as text", _resign({**m, "year": "2019"}, files, key), "year"
    yield "impossible date", _resign({**m, "filed_on": "2019-02-30"}, files, key), "filed_on"
    yield "date in 9999", _resign({**m, "eval_date": "9999-01-01"}, files, key), "eval_date"
    yield "files not a mapping", _with_manifest(good, json.dumps({**m, "files": ["results.csv"]}).encode()), "files"
    yield "deep nesting", _with_manifest(good, json.dumps({**m, "weights": _nested(50)}).encode()), "嵌套过深"
    yield "very deep nesting", _with_manifest(good, b'{"a":' * 100_000 + b"1" + b"}" * 100_000), "manifest.json"
    yield "huge manifest", _with_manifest(good, json.dumps({**m, "pad": "x" * 2_000_000}).encode()), "过大"
    yield "manifest not an object", _with_manifest(good, b"[1, 2]"), "manifest.json"
    yield "manifest not UTF-8", _with_manifest(good, "{}".encode("utf-16")), "manifest.json"
    yield "no manifest", _zip([(i, d) for i, d in _entries(good) if i.filename != "manifest.json"]), "manifest.json"
    yield "manifest lists itself", _with_manifest(good, json.dumps({**m, "files": {**m["files"], "manifest.sig": "0" * 64,
                                                                              "manifest.json": "0" * 64}}).encode()), \
        "manifest.sig 不在包内"
    yield "wrong format", _resign({**m, "format": "other/9"}, files, key), "format"
    yield "results unparseable", _resign(m, {**files, "results.csv": b'round_id,"matter_id\n"x'}, key), "results.csv"
    yield "results empty", _resign(m, {**files, "results.csv": b""}, key), "results.csv"
    yield "results missing a column", _resign(m, {**files, "results.csv": results.replace(
        "completion_pct", "pct").encode()}, key), "completion_pct"
    yield "results not numbers", _resign(m, {**files, "results.csv": _break_pct(results).encode()}, key), \
        "完成情况百分比"
    yield "round ids disagree", _resign({**m, "round_id": "2019-370781", "area": "370781"}, files, key), "2019-370786"
    yield "not a zip", b"PK\x03\x04 garbage", "zip"
    yield "empty file", b"", "zip"
    yield "encrypted entry", _patch(_zip(_entries(good) + [(_info("secret.bin"), b"x" * 100)]), "secret.bin",
                                    8, 6, (1).to_bytes(2, "little")), "加密"
    yield "bzip2 entry", _zip([(_info(i.filename, compress_type=zipfile.ZIP_BZIP2), d) for i, d in _entries(good)]), \
        "不支持的压缩方式"
    yield "dot-dot name", _zip(_entries(good) + [(_info("../../etc/cron.d/x"), b"x")]), "不安全"
    yield "absolute name", _zip(_entries(good) + [(_info("/tmp/x"), b"x")]), "不安全"
    yield "backslash name", _zip(_entries(good) + [(_info("..\\x"), b"x")]), "不安全"
    yield "symlink", _zip(_entries(good) + [(_info("link", external_attr=(stat.S_IFLNK | 0o777) << 16), b"/etc")]), \
        "符号链接"
    yield "duplicate name", _zip(_entries(good) + [(_info("results.csv"), b"round_id\n")]), "重复"
    yield "too many entries", _zip(_entries(good) + [(_info(f"x/{n}"), b"") for n in range(600)]), "条目过多"
    yield "declared 30 MB entry", _zip(_entries(good) + [(_info("big.bin"), b"\0" * 30_000_000)]), "超过上限"
    yield "entry lying about its size", _lying(good), "zip"


def _break_pct(results: str) -> str:
    head, first, *rest = results.split("\n")
    cols = head.split(",")
    cells = first.split(",")
    cells[cols.index("completion_pct")] = "很好"
    return "\n".join([head, ",".join(cells), *rest])


def _patch(data: bytes, name: str, central_at: int, local_at: int, value: bytes) -> bytes:
    """Overwrite a field of the last entry ``name`` in its central-directory and local headers
    (zipfile itself would never write such a zip)."""
    start = data.rfind(b"PK\x01\x02", 0, data.rfind(name.encode()))
    data = data[:start + central_at] + value + data[start + central_at + len(value):]
    local = data.find(name.encode()) - 30
    return data[:local + local_at] + value + data[local + local_at + len(value):]


def _lying(good: bytes) -> bytes:
    """A 5 MB entry whose headers declare 100 bytes (a zip bomb's trick)."""
    data = _zip(_entries(good) + [(_info("bomb.bin"), b"\0" * 5_000_000)])
    return _patch(data, "bomb.bin", 24, 22, (100).to_bytes(4, "little"))


def test_hostile_packages_are_refused_naming_why_and_nothing_is_stored(demo_archive, parts, key, tmp_path):
    manifest, files = parts
    other = load_private_key(new_key_pair(AREA, tmp_path / "stranger")[0])
    good = zip_package(manifest, files, ON, key)
    db = demo_archive.url.removeprefix("sqlite:///")
    before = open(db, "rb").read()
    seen = []
    for name, data, words in _cases(manifest, files, key, other, good):
        with pytest.raises(FilingRejected) as err:
            receive_package(demo_archive, data, "p.zip", "孙丽华", RECEIVED)
        message = str(err.value)
        assert "p.zip" in message and words in message, (name, message)
        assert open(db, "rb").read() == before, name
        seen.append(name)
    assert len(seen) >= 30
    # the good one still goes in
    assert receive_package(demo_archive, good, "p.zip", "孙丽华", RECEIVED)["new"]


def test_keys_of_another_area_and_revoked_keys_are_refused(demo_archive, parts, demo_db):
    manifest, files = parts
    neighbour = load_private_key(demo_db.parent / "keys" / "370781.key")  # 青州市's own, registered key
    with pytest.raises(FilingRejected, match="370781"):
        receive_package(demo_archive, zip_package(manifest, files, ON, neighbour), "p.zip", "孙丽华", RECEIVED)
    own = load_private_key(demo_db.parent / "keys" / f"{AREA}.key")
    kid = read_keys(demo_archive).set_index("area").at[AREA, "key_id"]
    revoke_key(demo_archive, kid, "孙丽华", "笔记本电脑遗失")
    with pytest.raises(FilingRejected, match="注销"):
        receive_package(demo_archive, zip_package(manifest, files, ON, own), "p.zip", "孙丽华", RECEIVED)
    assert read_filings(demo_archive)["round_id"].eq(ROUND).sum() == 0


def test_a_round_the_city_does_not_know_is_refused(archive, parts, demo_db):
    """A forged, self-consistent, properly signed package for a round the city's archive lacks."""
    manifest, files = parts
    own = demo_db.parent / "keys" / f"{AREA}.key"
    register_key(archive, AREA, own.with_suffix(".pub").read_bytes(), "孙丽华")
    data = zip_package(manifest, files, ON, load_private_key(own))
    with pytest.raises(FilingRejected, match=ROUND):
        receive_package(archive, data, "p.zip", "孙丽华", RECEIVED)
    assert read_filings(archive).empty
    create_round(archive, 2019, AREA)
    assert receive_package(archive, data, "p.zip", "孙丽华", RECEIVED)["new"]


def test_the_same_files_re_zipped_count_once(demo_archive, parts, key):
    manifest, files = parts
    first = receive_package(demo_archive, zip_package(manifest, files, ON, key), "a.zip", "孙丽华", RECEIVED)
    entries = _entries(zip_package(manifest, files, ON, key))
    rezipped = _zip([(_info(i.filename, compress_type=zipfile.ZIP_STORED), d) for i, d in reversed(entries)])
    again = receive_package(demo_archive, rezipped, "b.zip", "孙丽华", date(2019, 6, 20))
    assert first["new"] and not again["new"] and again["filing_id"] == first["filing_id"]
    assert len(read_filings(demo_archive)) == len(read_filings(demo_archive).drop_duplicates("package_sha256"))


def test_keys_cli_new_register_list_revoke_and_signed_file_receive(demo_archive, tmp_path):
    env = {**os.environ, "PYTHONPATH": ROOT, "WORKBENCH_LANG": "en"}
    db = demo_archive.url

    def run(*a):
        return subprocess.run([sys.executable, "-m", "workbench.cli", *a], capture_output=True, text=True,
                              env=env, cwd=ROOT)

    r = run("keys", "new", "--area", AREA, "--out", str(tmp_path / "k"))
    assert r.returncode == 0 and "BEGIN PUBLIC KEY" in r.stdout, r.stderr
    private = tmp_path / "k" / f"{AREA}.key"
    assert stat.S_IMODE(private.stat().st_mode) == 0o600
    r = run("keys", "new", "--area", AREA, "--out", str(tmp_path / "k"))  # never over an old key
    assert r.returncode == 2 and "already exists" in r.stderr and "Traceback" not in r.stderr
    pkg = tmp_path / "p.zip"
    r = run("file", "--round", ROUND, "--out", str(pkg), "--by", "李晓梅", "--on", "2019-06-10", "--db", db,
            "--key", str(private))
    assert r.returncode == 0, r.stderr
    r = run("receive", str(pkg), "--by", "孙丽华", "--on", "2019-06-12", "--db", db)
    assert r.returncode == 2 and "not registered" in r.stderr and "Traceback" not in r.stderr
    r = run("keys", "register", "--area", "370781", str(tmp_path / "k" / f"{AREA}.pub"), "--by", "孙丽华", "--db", db)
    assert r.returncode == 0, r.stderr  # registered, but for 青州市
    r = run("--lang", "zh", "receive", str(pkg), "--by", "孙丽华", "--on", "2019-06-12", "--db", db)
    assert r.returncode == 2 and "登记给 370781" in r.stderr
    r = run("keys", "register", "--area", AREA, str(tmp_path / "k" / f"{AREA}.pub"), "--by", "孙丽华", "--db", db)
    assert r.returncode == 2 and "registered for 370781" in r.stderr  # one key, one area
    r = run("keys", "list", "--db", db)
    assert r.returncode == 0 and r.stdout.count("370781") >= 2
    private.chmod(0o644)  # a private key others can read is refused before any work
    r = run("file", "--round", ROUND, "--out", str(tmp_path / "q.zip"), "--by", "x", "--db", db, "--key", str(private))
    assert r.returncode == 2 and "chmod 600" in r.stderr and not (tmp_path / "q.zip").exists()
    kid = read_keys(demo_archive).query("area == '370781'")["key_id"].iloc[-1]
    r = run("keys", "revoke", kid, "--by", "孙丽华", "--reason", "registered for the wrong county", "--db", db)
    assert r.returncode == 0 and read_keys(demo_archive).set_index("key_id").loc[kid, "revoked_by"] == "孙丽华"
    r = run("receive", str(tmp_path / "nothing.zip"), "--by", "孙丽华", "--db", db)
    assert r.returncode == 2 and "Traceback" not in r.stderr
