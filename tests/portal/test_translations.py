"""The English catalogue: committed .mo files match their .po, and the shell has no Vietnamese left
when shown in English."""

from __future__ import annotations

import re
from html.parser import HTMLParser

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.utils import translation

from chinhquyenso.core.translations import catalogue_paths, compiled, stale_catalogues

VIETNAMESE = re.compile(r"[àáảãạăằắẳẵặâầấẩẫậđèéẻẽẹêềếểễệìíỉĩịòóỏõọôồốổỗộơờớởỡợùúủũụưừứửữựỳýỷỹỵ]", re.I)


def test_committed_mo_files_match_their_po():
    assert catalogue_paths(), "no .po catalogue found"
    assert stale_catalogues() == [], "run `make translations` (or `chinhquyenso manage compile_translations`)"


def test_compile_translations_check_fails_on_a_stale_mo(tmp_path, settings):
    locale = tmp_path / "locale" / "en" / "LC_MESSAGES"
    locale.mkdir(parents=True)
    (locale / "django.po").write_text(
        'msgid ""\nmsgstr ""\n"Content-Type: text/plain; charset=UTF-8\\n"\n\n'
        'msgid "Đăng nhập"\nmsgstr "Log in"\n\n#, fuzzy\nmsgid "Mở"\nmsgstr "Open"\n', encoding="utf-8")
    settings.LOCALE_PATHS = [tmp_path / "locale"]
    settings.BASE_DIR = tmp_path / "nowhere"
    with pytest.raises(CommandError):
        call_command("compile_translations", "--check")
    call_command("compile_translations")
    call_command("compile_translations", "--check")
    mo = (locale / "django.mo").read_bytes()
    assert mo == compiled(locale / "django.po")
    assert b"Log in" in mo
    assert b"Open" not in mo  # fuzzy entries are left out, as msgfmt does


def test_english_catalogue_is_loaded():
    with translation.override("en"):
        assert translation.gettext("Đăng nhập") == "Log in"
        assert translation.gettext("Chưa có dữ liệu") == "No data yet"


class _EnglishText(HTMLParser):
    """Visible text of a page, leaving out what is marked as another language (lang="vi")."""

    VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr"}

    def __init__(self):
        super().__init__()
        self.stack: list[tuple[str, bool]] = []
        self.text: list[str] = []

    def handle_starttag(self, tag, attrs):
        if tag in self.VOID:
            return
        attrs = dict(attrs)
        hidden = tag in ("script", "style", "title") or attrs.get("lang", "en") != "en"
        self.stack.append((tag, hidden or any(h for _t, h in self.stack[-1:])))

    def handle_endtag(self, tag):
        while self.stack:
            if self.stack.pop()[0] == tag:
                break

    def handle_data(self, data):
        if not (self.stack and self.stack[-1][1]):
            self.text.append(data)


# Official references keep their Vietnamese form in English text.
PROPER_NOUNS = ["766/QĐ-TTg"]


def leftover_vietnamese(html: str, data: list[str]) -> list[str]:
    parser = _EnglishText()
    parser.feed(html)
    text = " ".join(parser.text)
    for value in sorted([*data, *PROPER_NOUNS], key=len, reverse=True):  # names of people and places are data, not UI
        text = text.replace(value, " ")
    return sorted({line.strip() for line in re.split(r"\s{2,}|\n", text) if VIETNAMESE.search(line)})


PAGES = {
    None: ["/", "/tai-khoan/dang-nhap/", "/tai-khoan/quen-mat-khau/", "/khong-co-trang-nay/"],
    "congdan": ["/cong-dan/", "/can-bo/"],
    "doanhnghiep": ["/cong-dan/"],
    "tiepnhan": ["/can-bo/"],
    "vanthu": ["/can-bo/"],
    "baocao": ["/can-bo/"],
    "thanhtra": ["/can-bo/"],
    "truongphong": ["/can-bo/"],
    "lanhdao": ["/lanh-dao/"],
}


@pytest.mark.parametrize("username", list(PAGES), ids=lambda u: u or "anonymous")
def test_the_shell_in_english_has_no_vietnamese_left(client, login_as, placeholder_sections_only, username):
    # Placeholder sections only: the sections other apps register are their strings to translate.
    from chinhquyenso.accounts.models import Organisation, User
    from chinhquyenso.units.models import AdministrativeUnit, Agency

    client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    if username:
        User.objects.filter(username=username).update(language="en")
        login_as(username)
    data = [*User.objects.values_list("full_name", flat=True),
            *AdministrativeUnit.objects.values_list("full_name", flat=True),
            *AdministrativeUnit.objects.values_list("name", flat=True),
            *Agency.objects.values_list("name", flat=True),
            *Organisation.objects.values_list("name", flat=True), "Thôn Phú Lễ"]
    for url in PAGES[username]:
        response = client.get(url)
        assert response.status_code in (200, 403, 404)
        assert leftover_vietnamese(response.content.decode(), data) == [], url
