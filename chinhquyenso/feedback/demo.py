"""Demo data for citizen feedback in Quảng Điền: categories with routing rules for the district's
agencies, the handling officers, an Open311 key, and a handful of published reports with answers.
Idempotent (run again and again by ``chinhquyenso demo``)."""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.utils import timezone

from chinhquyenso.accounts.demo import DEMO_PASSWORD
from chinhquyenso.accounts.models import User
from chinhquyenso.accounts.roles import Role
from chinhquyenso.accounts.services import role_assign, staff_create
from chinhquyenso.feedback import services
from chinhquyenso.feedback.models import Feedback, FeedbackCategory, Open311ApiKey, RoutingRule
from chinhquyenso.units.models import AdministrativeUnit, Agency

CATEGORIES = [
    # code, name, level, agency kind, abbreviation, group, keywords, description
    ("giao-thong", "Hạ tầng giao thông (đường, cầu, cống)", "district", "department", "KTHT", "ha-tang",
     "ổ gà, đường hư hỏng, cầu, cống, biển báo", "Đường sá hư hỏng, ổ gà, cầu cống, biển báo giao thông."),
    ("chieu-sang", "Điện chiếu sáng công cộng", "district", "department", "KTHT", "ha-tang",
     "đèn đường, chiếu sáng", "Đèn đường hỏng, không sáng, sáng ban ngày."),
    ("rac-thai", "Rác thải, vệ sinh môi trường", "commune", "peoples_committee", "", "moi-truong",
     "rác, vệ sinh, bãi rác", "Rác tồn đọng, đổ rác không đúng nơi quy định."),
    ("o-nhiem", "Ô nhiễm môi trường (nước, không khí, tiếng ồn)", "district", "department", "TNMT", "moi-truong",
     "ô nhiễm, nước thải, khói, tiếng ồn", "Nước thải, khói bụi, tiếng ồn, ô nhiễm nguồn nước."),
    ("dat-dai", "Đất đai, xây dựng trái phép", "commune", "peoples_committee", "", "trat-tu",
     "lấn chiếm, xây dựng trái phép, đất đai", "Lấn chiếm đất công, xây dựng không phép."),
    ("trat-tu", "Trật tự đô thị, lòng đường, vỉa hè", "commune", "peoples_committee", "", "trat-tu",
     "lấn chiếm vỉa hè, họp chợ", "Lấn chiếm lòng đường, vỉa hè, họp chợ sai quy định."),
    ("an-sinh", "An sinh xã hội, chính sách", "district", "department", "LĐTBXH", "xa-hoi",
     "trợ cấp, hộ nghèo, người có công", "Trợ cấp, chính sách người có công, hộ nghèo."),
    ("khac", "Vấn đề khác", "district", "peoples_committee", "", "khac", "", "Các phản ánh, kiến nghị khác."),
]
WASTE_ATTRIBUTES = [{"code": "muc_do", "description": "Mức độ tồn đọng", "datatype": "singlevaluelist",
                     "required": False, "order": 1,
                     "values": [{"key": "nho", "name": "Vài túi rác"}, {"key": "lon", "name": "Cả một bãi"}]}]
HANDLERS = [
    ("ktht", "Nguyễn Hữu Thắng", Role.SPECIALIST, "477", "000.07.14.H57"),
    ("tnmt", "Trần Thị Ngọc", Role.SPECIALIST, "477", "000.06.14.H57"),
    ("ldtbxh", "Phan Văn Lực", Role.SPECIALIST, "477", "000.08.14.H57"),
    ("ubnd.quangtho", "Lê Văn Thọ", Role.SPECIALIST, "19894", "000.29.14.H57"),
    ("ubnd.sia", "Hồ Thị Sen", Role.SPECIALIST, "19867", "000.20.14.H57"),
]
REPORTS = [
    # category, title, description, (lat, lon), days ago, answer, rating
    ("giao-thong", "Ổ gà lớn trên đường liên xã Quảng Thọ", "Đoạn đường trước trường tiểu học có ổ gà sâu, "
     "xe máy dễ ngã, nhất là khi trời mưa.", (16.5387, 107.5251), 20,
     "Phòng Kinh tế - Hạ tầng đã phối hợp đơn vị duy tu vá ổ gà ngày hôm qua. Cảm ơn bạn đã phản ánh.", 3),
    ("chieu-sang", "Ba bóng đèn đường không sáng ở thị trấn Sịa", "Tuyến đường chính thị trấn có ba bóng đèn "
     "không sáng từ tuần trước, buổi tối rất tối.", (16.5873, 107.5128), 12,
     "Đã thay ba bóng đèn LED; tuyến đường sáng trở lại từ tối thứ Năm.", 2),
    ("rac-thai", "Rác tồn đọng cạnh chợ Quảng Thọ", "Rác thải tồn đọng ba ngày chưa được thu gom cạnh chợ.",
     (16.5401, 107.5232), 8, "UBND xã đã yêu cầu tổ thu gom xử lý; từ nay thu gom hằng ngày.", None),
    ("o-nhiem", "Nước thải chảy ra sông Bồ ở Quảng Phú", "Có nước thải màu đen chảy ra sông, mùi hôi.",
     (16.5410, 107.4976), 5, None, None),
    ("giao-thong", "Biển báo giao thông bị đổ ở Quảng An", "Biển báo hạn chế tốc độ bị đổ sau cơn bão.",
     (16.5660, 107.5540), 3, None, None),
]


def _ensure_staff(username, full_name, role, unit_code, agency_code):
    user = User.objects.filter(username=username).first()
    if user is None:
        user = staff_create(username=username, password=DEMO_PASSWORD, full_name=full_name,
                            email=f"{username}@quangdien.demo")
    role_assign(user=user, role=role, unit=AdministrativeUnit.objects.get(code=unit_code),
                agency=Agency.objects.get(identifier_code=agency_code))
    return user


@transaction.atomic
def _categories() -> None:
    for order, (code, name, level, kind, abbreviation, group, keywords, description) in enumerate(CATEGORIES):
        FeedbackCategory.objects.get_or_create(code=code, defaults={
            "name": name, "handling_level": level, "agency_kind": kind, "agency_abbreviation": abbreviation,
            "group": group, "keywords": keywords, "description": description, "order": order * 10,
            "attributes": WASTE_ATTRIBUTES if code == "rac-thai" else [],
            "service_notice": "Phản ánh được trả lời trong 15 ngày làm việc (Quyết định 766/QĐ-TTg).",
        })
    # The town manages its own street lighting: an explicit rule beats the category's district rule.
    RoutingRule.objects.get_or_create(
        category=FeedbackCategory.objects.get(code="chieu-sang"), unit=AdministrativeUnit.objects.get(code="19867"),
        defaults={"agency": Agency.objects.get(identifier_code="000.20.14.H57"),
                  "note": "Thị trấn Sịa tự quản lý hệ thống chiếu sáng"})


def _reports(log) -> None:
    if Feedback.objects.filter(device_id="demo").exists():
        return
    citizen = User.objects.get(username="congdan")
    coordinator = User.objects.get(username="tiepnhan")
    now = timezone.now()
    for code, title, description, (lat, lon), days_ago, answer, rating in REPORTS:
        category = FeedbackCategory.objects.get(code=code)
        submitted = now - dt.timedelta(days=days_ago)
        feedback = services.feedback_submit(reporter=citizen, category=category, title=title,
                                            description=description, latitude=lat, longitude=lon,
                                            location_source="map", anonymous_public=True, now=submitted,
                                            attributes={"muc_do": "lon"} if code == "rac-thai" else None)
        Feedback.objects.filter(pk=feedback.pk).update(device_id="demo")
        feedback.refresh_from_db()
        feedback = services.feedback_route(feedback=feedback, actor=coordinator, publish=True,
                                           now=submitted + dt.timedelta(hours=3))
        if answer is None:
            continue
        handler = User.objects.filter(role_assignments__agency=feedback.agency).first()
        feedback = services.feedback_accept(feedback=feedback, actor=handler, now=submitted + dt.timedelta(days=1))
        feedback = services.feedback_answer(feedback=feedback, actor=handler, text=answer,
                                            now=submitted + dt.timedelta(days=min(days_ago - 1, 6)))
        if rating:
            services.feedback_rate(feedback=feedback, actor=citizen, rating=rating)
    log(f"Phản ánh mẫu: {len(REPORTS)} phản ánh đã công khai.")


def load(*, log) -> None:
    _categories()
    for spec in HANDLERS:
        _ensure_staff(*spec)
    if not Open311ApiKey.objects.filter(name="Ứng dụng mẫu (demo)").exists():
        _key, full = services.open311_key_create(name="Ứng dụng mẫu (demo)")
        log(f"Khoá API Open311 mẫu (chỉ hiện một lần): {full}")
    _reports(log)
    log(f"Phản ánh, kiến nghị: {FeedbackCategory.objects.count()} lĩnh vực, "
        f"{Feedback.objects.filter(is_published=True).count()} phản ánh công khai.")
