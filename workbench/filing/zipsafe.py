"""Reading an untrusted zip (a county's filing package) without trusting it.

Everything is checked from the central directory *before* a byte is inflated: the number of
entries, each entry's declared size and the declared total, encryption, the compression method,
the name (no ``..``, no absolute or drive path, no backslash, no control character), symlinks and
duplicate names. Then each entry is read in chunks with a hard cap on the bytes actually produced,
so a zip that lies about its sizes (a zip bomb) is stopped at the cap, not after it filled memory.
Every refusal is a ``ZipRefused`` naming the entry and why, in the user's language.
"""

from __future__ import annotations

import io
import stat
import zipfile
import zlib

from workbench.errors import WorkbenchError
from workbench.labels import register, t

#: limits for a filing package: a county round is a few hundred kB; these leave ample room
MAX_ENTRIES = 500
MAX_ENTRY_BYTES = 20 * 1024 * 1024
MAX_TOTAL_BYTES = 100 * 1024 * 1024
_CHUNK = 1024 * 1024
_METHODS = {zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED}

register({
    "zip_err_not_zip": {"zh": "无法作为 zip 读取({why})", "en": "cannot be read as a zip ({why})"},
    "zip_err_entries": {"zh": "包内条目过多({n} 个,上限 {limit})", "en": "too many entries ({n}, at most {limit})"},
    "zip_err_size": {"zh": "条目 {name} 解压后 {size} 字节,超过上限 {limit}",
                     "en": "entry {name} unpacks to {size} bytes, more than the limit of {limit}"},
    "zip_err_total": {"zh": "解压后共 {size} 字节,超过上限 {limit}",
                      "en": "entries unpack to {size} bytes in all, more than the limit of {limit}"},
    "zip_err_bomb": {"zh": "条目 {name} 解压后的实际大小超过其声明的 {size} 字节(疑为 zip 炸弹)",
                     "en": "entry {name} unpacks to more than its declared {size} bytes (a zip bomb?)"},
    "zip_err_encrypted": {"zh": "条目 {name} 已加密;报备包不得加密",
                          "en": "entry {name} is encrypted; a filing package is not encrypted"},
    "zip_err_method": {"zh": "条目 {name} 使用不支持的压缩方式({method});只接受存储或 deflate",
                       "en": "entry {name} uses an unsupported compression method ({method}); only stored or deflate"},
    "zip_err_name": {"zh": "条目名 {name} 不安全(含 ..、绝对路径、反斜杠或控制字符)",
                     "en": "entry name {name} is unsafe (.., an absolute path, a backslash or a control character)"},
    "zip_err_symlink": {"zh": "条目 {name} 是符号链接", "en": "entry {name} is a symbolic link"},
    "zip_err_duplicate": {"zh": "条目名 {name} 重复出现", "en": "entry name {name} occurs more than once"},
    "zip_err_corrupt": {"zh": "条目 {name} 损坏({why})", "en": "entry {name} is damaged ({why})"},
})


class ZipRefused(WorkbenchError):
    """A zip that is refused; ``problems`` lists each entry and why."""

    def __init__(self, problems: list[str]):
        self.problems = problems
        super().__init__("; ".join(problems))


def safe_entry_name(name: str) -> bool:
    """A relative, forward-slash path with no ``..``, empty or control-character part."""
    if not name or name.startswith("/") or "\\" in name or (len(name) > 1 and name[1] == ":"):
        return False
    if any(ord(c) < 32 or ord(c) == 127 for c in name):
        return False
    parts = name.rstrip("/").split("/")
    return all(p not in ("", ".", "..") for p in parts)


def _check_infos(infos: list[zipfile.ZipInfo], max_entries: int, max_entry: int, max_total: int) -> list[str]:
    if len(infos) > max_entries:
        return [t("zip_err_entries", n=len(infos), limit=max_entries)]
    problems, seen = [], set()
    for info in infos:
        name = info.filename
        if not safe_entry_name(name):
            problems.append(t("zip_err_name", name=repr(name)))
        if name in seen:
            problems.append(t("zip_err_duplicate", name=name))
        seen.add(name)
        if info.flag_bits & 0x1:
            problems.append(t("zip_err_encrypted", name=name))
        if info.compress_type not in _METHODS:
            problems.append(t("zip_err_method", name=name, method=info.compress_type))
        if stat.S_ISLNK(info.external_attr >> 16):
            problems.append(t("zip_err_symlink", name=name))
        if info.file_size > max_entry:
            problems.append(t("zip_err_size", name=name, size=info.file_size, limit=max_entry))
    total = sum(i.file_size for i in infos)
    if total > max_total:
        problems.append(t("zip_err_total", size=total, limit=max_total))
    return problems


def _read_capped(z: zipfile.ZipFile, info: zipfile.ZipInfo) -> bytes:
    """The entry's bytes, never more than it declared: a lying header is stopped at its own size."""
    out = bytearray()
    with z.open(info) as f:
        while chunk := f.read(min(_CHUNK, info.file_size - len(out) + 1)):
            out += chunk
            if len(out) > info.file_size:
                raise ZipRefused([t("zip_err_bomb", name=info.filename, size=info.file_size)])
    return bytes(out)


def read_zip(data: bytes, max_entries: int = MAX_ENTRIES, max_entry: int = MAX_ENTRY_BYTES,
             max_total: int = MAX_TOTAL_BYTES) -> dict[str, bytes]:
    """{entry name: bytes} of the zip's files (folders skipped), or ``ZipRefused`` with every problem."""
    try:
        z = zipfile.ZipFile(io.BytesIO(data))
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, ValueError, EOFError) as exc:
        raise ZipRefused([t("zip_err_not_zip", why=exc)]) from exc
    with z:
        infos = z.infolist()
        problems = _check_infos(infos, max_entries, max_entry, max_total)
        if problems:
            raise ZipRefused(problems)
        contents = {}
        for info in infos:
            if info.is_dir():
                continue
            try:
                contents[info.filename] = _read_capped(z, info)
            except ZipRefused:
                raise
            except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, ValueError, EOFError,
                    NotImplementedError, RuntimeError, zlib.error) as exc:  # CRC, truncated stream, bad header
                raise ZipRefused([t("zip_err_corrupt", name=info.filename, why=exc)]) from exc
    return contents
