"""Build ``chinhquyenso/catalog/data/procedures.json`` from the researched shared data set.

    python scripts/catalog_build_seed.py /work/shared/data/procedures.json

The input (37 procedures with sources, see ``chinhquyenso/catalog/data/README.md``) holds times
and fees as the sources wrote them, often as text. This script turns them into the catalogue's
import schema (``chinhquyenso.catalog/1``): processing time as a number of days with its kind
and a note, fees as structured rules. Every judgement made here is written down below, next to
the procedure it concerns, and repeated in the record's ``source_note`` so the demo says what is
unconfirmed. The output is committed; this script documents how it was made.
"""

from __future__ import annotations

import json
import re
import sys
import unicodedata
from pathlib import Path

OUT = Path(__file__).resolve().parent.parent / "chinhquyenso" / "catalog" / "data" / "procedures.json"
EFFECTIVE_FROM = "2025-07-01"  # the figures are those published after the July 2025 reform
STD_EXEMPT = ["poor_household", "meritorious", "disabled"]  # Circular 85/2019/TT-BTC art. 5 (hộ tịch)

# Procedures without a national code get a local one (code_is_national = false), in file order.
LOCAL_CODES = iter(f"DP-{n:04d}" for n in range(1, 100))

# Processing time: (days, kind). None = depends on the case (the note explains).
# A bare number in the source is read as working days (procedures.md §1); "N ngày" from the laws
# on complaints, denunciations and land is calendar days.
TIMES = {
    "1.001193": (0, "working"), "1.000656": (0, "working"), "1.000894": (0, "working"),
    "1.004873": (3, "working"), "1.004884": (5, "working"), "1.004859": (3, "working"),
    "DP-0001": (3, "working"), "2.000635": (0, "working"), "2.000528": (0, "working"),
    "2.000806": (5, "working"), "1.001022": (3, "working"), "2.000815": (0, "working"),
    "2.000884": (0, "working"), "2.001035": (2, "working"), "1.001612": (3, "working"),
    "2.000720": (3, "working"), "1.001570": (1, "working"), "1.001266": (5, "working"),
    "1.013225": (15, "calendar"), "1.012812": (30, "calendar"), "1.013967": (45, "calendar"),
    # Three limits by channel (17 online / 20 post / 27 desk): the catalogue keeps the longest, the
    # limit every dossier can be promised; the note gives the others.
    "1.013978": (27, "working"), "1.013949": (15, "calendar"), "1.011607": (15, "working"),
    "1.001776": (None, "working"), "1.010833": (5, "working"), "DP-0002": (5, "working"),
    "DP-0003": (4, "working"), "2.002481": (None, "working"), "2.000509": (15, "working"),
    "1.012590": (20, "working"), "DP-0004": (30, "calendar"), "DP-0005": (30, "calendar"),
    "1.010736": (15, "working"), "DP-0006": (None, "working"), "1.001662": (7, "working"),
    "1.008004": (5, "working"),
}


def _resolution(label: str, **extra) -> dict:
    """A charge whose amount the provincial People's Council sets: amount unknown until entered."""
    return {"code": "le_phi", "label": label, "kind": "fixed", "amount_vnd": None, "exempt_categories": STD_EXEMPT,
            **extra}


HOTICH_FEE = "Lệ phí hộ tịch (mức theo Nghị quyết HĐND tỉnh, chưa nhập)"
FEES = {
    "1.001193": [
        {"code": "qua_han", "label": "Lệ phí đăng ký khai sinh quá hạn (mức theo Nghị quyết HĐND tỉnh, chưa nhập)",
         "kind": "fixed", "amount_vnd": None, "exempt_categories": STD_EXEMPT, "conditional": True,
         "condition_note": "Đăng ký sau 60 ngày kể từ ngày sinh"},
        {"code": "ban_sao", "label": "Bản sao Giấy khai sinh", "kind": "per_unit", "amount_vnd": 8000,
         "unit_label": "bản", "conditional": True, "condition_note": "Khi người yêu cầu xin cấp bản sao"},
    ],
    "1.000656": [
        {"code": "qua_han", "label": "Lệ phí đăng ký khai tử quá hạn (mức theo Nghị quyết HĐND tỉnh, chưa nhập)",
         "kind": "fixed", "amount_vnd": None, "exempt_categories": STD_EXEMPT, "conditional": True,
         "condition_note": "Khai tử sau 15 ngày kể từ ngày chết"},
    ],
    "1.004873": [_resolution(HOTICH_FEE)],
    "1.004884": [_resolution(HOTICH_FEE)],
    "1.004859": [_resolution(HOTICH_FEE)],
    "DP-0001": [_resolution(HOTICH_FEE)],
    "2.000635": [{"code": "ban_sao", "label": "Phí cấp bản sao trích lục hộ tịch", "kind": "per_unit",
                  "amount_vnd": 8000, "unit_label": "bản"}],
    "2.000528": [_resolution(HOTICH_FEE)],
    "2.000806": [_resolution(HOTICH_FEE)],
    "1.001022": [_resolution(HOTICH_FEE)],
    # Certification fees: Circular 226/2016/TT-BTC as cited by DVCQG.
    "2.000815": [{"code": "chung_thuc", "label": "Phí chứng thực bản sao từ bản chính (tính theo trang của bản chính)",
                  "kind": "tiered", "tier_mode": "graduated", "unit_label": "trang",
                  "tiers": [{"from": 1, "to": 2, "amount_vnd": 2000}, {"from": 3, "to": None, "amount_vnd": 1000}],
                  "max_vnd": 200000}],
    "2.000884": [{"code": "chung_thuc", "label": "Phí chứng thực chữ ký", "kind": "fixed", "amount_vnd": 10000}],
    "2.001035": [{"code": "chung_thuc", "label": "Phí chứng thực giao dịch", "kind": "fixed", "amount_vnd": 50000,
                  "exempt_categories": ["agricultural_loan"]}],
    "1.001612": [{"code": "le_phi", "label": "Lệ phí đăng ký hộ kinh doanh (mức theo Nghị quyết HĐND tỉnh, chưa nhập)",
                  "kind": "fixed", "amount_vnd": None}],
    "2.000720": [{"code": "le_phi", "label": "Lệ phí đăng ký thay đổi (mức theo Nghị quyết HĐND tỉnh, chưa nhập)",
                  "kind": "fixed", "amount_vnd": None}],
    "1.013225": [{"code": "le_phi", "label": "Lệ phí cấp giấy phép xây dựng (mức theo Nghị quyết HĐND tỉnh, chưa nhập)",
                  "kind": "fixed", "amount_vnd": None}],
    "1.013978": [{"code": "le_phi", "label": "Lệ phí cấp Giấy chứng nhận (mức theo Nghị quyết HĐND tỉnh, chưa nhập)",
                  "kind": "fixed", "amount_vnd": None}],
    # Circular 01/2021/TT-BTC, areas other than cities and towns (Quảng Điền is rural).
    "DP-0002": [{"code": "tham_dinh", "label": "Phí thẩm định cấp giấy phép (khu vực ngoài thành phố, thị xã)",
                 "kind": "tiered", "tier_mode": "bracket", "unit_label": "phòng",
                 "tiers": [{"from": 1, "to": 3, "amount_vnd": 2000000}, {"from": 4, "to": 5, "amount_vnd": 3000000},
                           {"from": 6, "to": None, "amount_vnd": 6000000}]}],
    "DP-0003": [
        {"code": "doi_chu", "label": "Phí thẩm định khi thay đổi chủ sở hữu", "kind": "fixed", "amount_vnd": 500000,
         "conditional": True, "condition_note": "Khi điều chỉnh do thay đổi chủ sở hữu"},
        {"code": "tang_phong", "label": "Phí thẩm định khi tăng thêm phòng (khu vực ngoài thành phố, thị xã)",
         "kind": "per_unit", "amount_vnd": 1000000, "unit_label": "phòng", "max_vnd": 6000000,
         "conditional": True, "condition_note": "Khi điều chỉnh do tăng số phòng"},
    ],
}

# Online level where the source states none: an online channel is evidenced when the researched
# text names an interactive e-form or an online time/fee; such procedures are "partial" (the
# lowest level that is online) and online_level_confirmed stays false.
ONLINE_EVIDENCE = re.compile(r"trực tuyến|điện tử tương tác")
# Levels published by Huế itself (list of mức độ 4 services, pre-2025): confirmed for Huế.
HUE_CONFIRMED_ONLINE = {"DP-0001", "1.013967", "1.013949"}

# Implementing agencies in the demo locality, resolved by the demo loader (catalog/demo.py).
COMMUNE_UBND = {"level": "commune", "kind": "peoples_committee"}
DISTRICT_UBND = {"level": "district", "kind": "peoples_committee"}
DEPARTMENT_BY_FIELD = {
    "Hộ tịch": "TP", "Chứng thực": "TP", "Thành lập và hoạt động của hộ kinh doanh": "TCKH",
    "Hoạt động xây dựng": "KTHT", "Đất đai": "TNMT", "Bảo trợ xã hội": "LĐTBXH", "Văn hóa": "VHTT",
}

FORMS = {
    "bản chính": "original", "bản sao": "copy", "bản sao (bản chụp)": "copy",
    "bản chính (xuất trình)": "present", "xuất trình": "present", "bản chính hoặc bản sao (xuất trình)": "present",
    "bản chính hoặc bản sao": "original_or_copy", "bản sao (hoặc bản chính)": "original_or_copy",
    "bản sao có chứng thực": "certified_copy", "bản photo hoặc bản sao có chứng thực": "original_or_certified",
    "bản chính hoặc bản sao có chứng thực/bản sao điện tử": "original_or_certified",
}
CONDITIONAL = re.compile(r"\((trường hợp|nếu|khi)\b|^(trường hợp|nếu)\b", re.IGNORECASE)


def _slug(text: str) -> str:
    text = text.replace("đ", "d").replace("Đ", "D")
    text = unicodedata.normalize("NFD", text)
    text = "".join(c for c in text if unicodedata.category(c) != "Mn").lower()
    return re.sub(r"[^a-z0-9]+", "-", text).strip("-")


def _level(value: str) -> str:
    for level in ("province", "district", "commune"):
        if value.startswith(level):
            return level
    return ""


def _agency_match(p: dict) -> list[dict]:
    if p["level"] == "commune":
        return [COMMUNE_UBND]
    abbreviation = DEPARTMENT_BY_FIELD.get(p["field"])
    matches = [{"level": "district", "abbreviation": abbreviation}] if abbreviation else [DISTRICT_UBND]
    if p["code"] == "1.001776":  # the commune receives and reviews, the district department appraises
        matches.insert(0, COMMUNE_UBND)
    return matches


def _source_note(p: dict, code: str, online_level: str, online_from_evidence: bool) -> str:
    parts = [f"Số liệu theo: {p['figures_as_of']}."]
    if not p["confirmed"]:
        parts.append("CHƯA XÁC MINH ĐẦY ĐỦ: chưa có nguồn nêu đồng thời thời hạn và mức phí.")
    if p["note"]:
        parts.append(p["note"])
    if p["code"] is None:
        parts.append(f"Chưa tìm thấy mã thủ tục quốc gia; {code} là mã tạm của danh mục địa phương.")
    if online_from_evidence:
        parts.append("Mức độ DVC trực tuyến tại Huế chưa xác minh; dữ liệu mẫu đặt “một phần” vì nguồn có nêu "
                     "mẫu điện tử tương tác hoặc thời hạn, lệ phí khi nộp trực tuyến.")
    elif online_level != "none" and code not in HUE_CONFIRMED_ONLINE:
        parts.append("Mức độ DVC trực tuyến lấy theo tỉnh khác công bố, chưa xác minh cho Huế.")
    if isinstance(p["fee_vnd"], str) or "chưa xác minh" in (p["fee_note"] or ""):
        parts.append("Mức lệ phí do HĐND tỉnh quy định chưa được xác minh cho Huế.")
    return " ".join(parts)


def convert(p: dict) -> dict:
    code = p["code"] or next(LOCAL_CODES)
    blob = json.dumps(p, ensure_ascii=False)
    online_level = p["online_level"]
    online_from_evidence = False
    if online_level is None:
        online_from_evidence = bool(ONLINE_EVIDENCE.search(blob))
        online_level = "partial" if online_from_evidence else "none"
    days, kind = TIMES[code]
    raw_days = p["processing_days"]
    processing_note = "" if isinstance(raw_days, int) else str(raw_days)
    fee_note = p["fee_note"] or ""
    if isinstance(p["fee_vnd"], str):
        fee_note = f"{p['fee_vnd']}. {fee_note}".strip()
    documents = []
    for doc in p["required_documents"]:
        documents.append({
            "name": doc["name"],
            "form": FORMS[doc["original_or_copy"]],
            "count": doc["count"],
            "requirement": "conditional" if CONDITIONAL.search(doc["name"]) else "required",
        })
    return {
        "code": code,
        "code_is_national": p["code"] is not None,
        "name": p["name"],
        "field": {"code": _slug(p["field"]), "name": p["field"]},
        "unit": "477",
        "levels": [p["level"]],
        "level_since_2025_07": _level(p["level_since_2025_07"]),
        "agencies": [],
        "agency_match": _agency_match(p),
        "agency_text": p["agency"],
        "online_level": online_level,
        "online_level_confirmed": code in HUE_CONFIRMED_ONLINE,
        "channels": (["online"] if online_level != "none" else []) + ["desk"]
        + (["post"] if "bưu chính" in blob or "bưu điện" in blob else []),
        "submission_note": "",
        "status": "active",
        "confirmed": p["confirmed"],
        "source_note": _source_note(p, code, online_level, online_from_evidence),
        "sources": p["sources"],
        "required_documents": documents,
        "result_documents": [{"name": p["result"]}],
        "legal_basis": [{"title": t} for t in p["legal_basis"]],
        "terms": [{
            "effective_from": EFFECTIVE_FROM,
            "processing_days": days,
            "day_kind": kind,
            "processing_note": processing_note,
            "fee_note": fee_note,
            "basis": p["figures_as_of"],
            "fee_rules": FEES.get(code, []),
        }],
    }


def main(src: str) -> None:
    data = json.loads(Path(src).read_text(encoding="utf-8"))
    procedures = [convert(p) for p in data["procedures"]]
    out = {
        "schema": "chinhquyenso.catalog/1",
        "source": "shared/data/procedures.json (nghiên cứu có nguồn; xem catalog/data/README.md)",
        "procedures": procedures,
    }
    OUT.write_text(json.dumps(out, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    print(f"{len(procedures)} thủ tục → {OUT}")


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else "/work/shared/data/procedures.json")
