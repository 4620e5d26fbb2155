"""A file a form writes comes down through the page, byte for byte, under its own name."""

from __future__ import annotations

import base64
import re

from workbench.forms import download_link, download_links


def test_the_link_carries_the_file_and_its_name(tmp_path):
    data = bytes(range(256)) * 3
    path = tmp_path / "2021-370781_报备.zip"
    path.write_bytes(data)
    html = download_links([path, ("a&b.docx", b"x")])
    names = re.findall(r'download="([^"]+)"', html)
    assert names == ["2021-370781_报备.zip", "a&amp;b.docx"]
    zipped = re.search(r'href="data:application/zip;base64,([^"]+)"', html).group(1)
    assert base64.b64decode(zipped) == data
    assert "wordprocessingml" in download_link("a.docx", b"x")


def test_nothing_written_offers_nothing():
    assert download_links([]) == ""
