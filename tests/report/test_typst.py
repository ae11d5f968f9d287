"""Any text reaches the PDF literally: Typst markup characters in data cannot break the brief."""

from __future__ import annotations

import re

import typst
from hypothesis import given, settings
from hypothesis import strategies as st
from pypdf import PdfReader

from libpolis.report.brief import _content, _str

_TEXT = st.text(
    alphabet=st.characters(min_codepoint=32, max_codepoint=126) | st.sampled_from("éèàçñüöäÅ–—«»"),
    min_size=1,
    max_size=60,
).filter(lambda s: s.strip())


@given(_TEXT, _TEXT)
@settings(max_examples=25, deadline=None)
def test_text_and_commands_print_literally(tmp_path_factory, text, cmd):
    d = tmp_path_factory.mktemp("typst")
    src = f'#set page(width: 30cm, height: auto)\n#set text(font: "DejaVu Sans Mono", size: 8pt)\n#par{_content(text)}\n#par{_content("`" + cmd.replace("`", "") + "`")}\n#par[#{_str(text)}]\n'
    (d / "t.typ").write_text(src, encoding="utf-8")
    pdf = typst.compile(str(d / "t.typ"))
    (d / "t.pdf").write_bytes(pdf)
    got = re.sub(r"\s+", "", "".join(p.extract_text() for p in PdfReader(d / "t.pdf").pages))
    assert re.sub(r"\s+", "", text.replace("`", "")) in got
    assert re.sub(r"\s+", "", cmd.replace("`", "")) in got
