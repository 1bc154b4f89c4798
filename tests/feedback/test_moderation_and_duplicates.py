"""Moderation hides personal data (text and photos); duplicates are suggested before sending."""

from __future__ import annotations

import pytest
from django.urls import reverse

from chinhquyenso.core.errors import DomainError
from chinhquyenso.feedback import photos as photo_tools
from chinhquyenso.feedback import selectors, services
from chinhquyenso.feedback.constants import Status
from chinhquyenso.feedback.services import Upload
from tests.feedback.conftest import at, jpeg_bytes

pytestmark = pytest.mark.django_db

PERSONAL = "Nhà tôi số 12, gọi 0912345678, CCCD 046186000123, email lan.nguyen@example.com."


def test_moderation_hides_personal_data_from_the_public(client, submit, coordinator, photo_upload):
    feedback = submit(description=f"Cống bị vỡ. {PERSONAL}", photos=[photo_upload])
    routed = services.feedback_route(feedback=feedback, actor=coordinator, publish=True)
    assert routed.is_published
    for secret in ("0912345678", "046186000123", "lan.nguyen@example.com"):
        assert secret not in routed.public_description
    page = client.get(reverse("feedback:detail", args=[routed.code])).content.decode()
    for secret in ("0912345678", "046186000123", "lan.nguyen", "Nguyễn Văn An"):
        assert secret not in page
    listing = client.get(reverse("feedback:list")).content.decode()
    assert "0912345678" not in listing and routed.code in listing


def test_coordinator_text_is_masked_again(submit, coordinator):
    routed = services.feedback_route(feedback=submit(), actor=coordinator, public_title="Ổ gà",
                                     public_description="Liên hệ 0987654321 để biết thêm")
    assert "0987654321" not in routed.public_description


def test_unmoderated_report_is_not_public(client, submit):
    feedback = submit()
    assert client.get(reverse("feedback:detail", args=[feedback.code])).status_code == 404
    assert feedback.code not in client.get(reverse("feedback:list")).content.decode()


def test_rejected_report_stays_private_and_the_reason_is_kept(submit, coordinator):
    rejected = services.feedback_reject(feedback=submit(), actor=coordinator, reason="Nội dung quảng cáo")
    assert rejected.status == Status.REJECTED and not rejected.is_published
    assert rejected.rejection_reason == "Nội dung quảng cáo"
    with pytest.raises(DomainError):
        services.feedback_reject(feedback=submit(), actor=coordinator, reason=" ")


def test_public_photo_has_no_exif_gps_and_the_original_stays_private(client, submit, coordinator, photo_upload):
    assert photo_tools.has_exif(photo_upload.content)
    feedback = submit(photos=[photo_upload])
    photo = feedback.photos.get()
    assert photo.public is None  # nothing public before moderation
    services.feedback_route(feedback=feedback, actor=coordinator, publish=True)
    photo.refresh_from_db()
    public = client.get(reverse("feedback:photo", args=[photo.pk, "public"]))
    assert public.status_code == 200 and public["Content-Type"] == "image/jpeg"
    assert not photo_tools.has_exif(b"".join(public.streaming_content))
    assert client.get(reverse("feedback:photo", args=[photo.pk, "original"])).status_code == 404


def test_coordinator_can_remove_or_blur_photos(client, submit, coordinator):
    feedback = submit(photos=[Upload("a.jpg", jpeg_bytes()), Upload("b.jpg", jpeg_bytes(color=(0, 0, 255)))])
    first, second = feedback.photos.order_by("id")
    services.feedback_route(feedback=feedback, actor=coordinator, publish=True,
                            photo_decisions={first.pk: "remove", second.pk: "blur"})
    first.refresh_from_db()
    second.refresh_from_db()
    assert first.hidden and client.get(reverse("feedback:photo", args=[first.pk, "public"])).status_code == 404
    assert second.blurred and second.public is not None


def test_photo_limits(submit):
    with pytest.raises(DomainError) as exc:
        submit(photos=[Upload(f"{i}.jpg", jpeg_bytes()) for i in range(6)])
    assert exc.value.code == "too_many_photos"
    with pytest.raises(DomainError) as exc:
        submit(photos=[Upload("virus.jpg", b"MZ\x90\x00" + b"\x00" * 100)])
    assert exc.value.code == "file_type_not_allowed"


def test_duplicate_near_and_same_category_is_suggested(submit, coordinator, road_category):
    first = services.feedback_route(feedback=submit(), actor=coordinator, publish=True)
    found = selectors.feedback_duplicates(category=road_category, text="ổ gà đường liên xã",
                                          latitude=16.5390, longitude=107.5253, now=at(2026, 3, 5))
    assert [c.feedback for c in found] == [first]
    assert found[0].distance_m < 100


def test_similar_text_without_accents_in_the_same_commune_is_suggested(submit, coordinator, road_category, units):
    first = services.feedback_route(feedback=submit(), actor=coordinator, publish=True)
    found = selectors.feedback_duplicates(category=road_category, text="o ga lon tren duong lien xa",
                                          unit=units.quang_tho, now=at(2026, 3, 5))
    assert [c.feedback for c in found] == [first]
    assert found[0].similarity > 0.6


def test_far_other_category_or_old_reports_are_not_duplicates(submit, coordinator, road_category, waste_category):
    services.feedback_route(feedback=submit(), actor=coordinator, publish=True)
    assert not selectors.feedback_duplicates(category=road_category, text="cây đổ", latitude=16.63,
                                             longitude=107.42, now=at(2026, 3, 5))
    assert not selectors.feedback_duplicates(category=waste_category, text="ổ gà", latitude=16.53866,
                                             longitude=107.52508, now=at(2026, 3, 5))
    assert not selectors.feedback_duplicates(category=road_category, text="ổ gà", latitude=16.53866,
                                             longitude=107.52508, now=at(2026, 6, 1))


def test_submit_page_asks_to_confirm_when_duplicates_exist(client, submit, coordinator, citizen, road_category):
    from django.utils import timezone

    first = services.feedback_route(feedback=submit(now=timezone.now()), actor=coordinator, publish=True)
    client.force_login(citizen)
    data = {"category": road_category.pk, "title": "Ổ gà trên đường liên xã", "description": "Ổ gà rất sâu",
            "latitude": "16.5387", "longitude": "107.5251", "location_source": "map"}
    response = client.post(reverse("feedback:submit"), data)
    assert response.status_code == 200 and first.code in response.content.decode()
    assert citizen.feedback.count() == 1
    response = client.post(reverse("feedback:submit"), {**data, "confirm_not_duplicate": "on"})
    assert response.status_code == 302 and citizen.feedback.count() == 2


def test_merge_duplicate_into_the_earlier_report(submit, coordinator, citizen):
    first = services.feedback_route(feedback=submit(), actor=coordinator, publish=True)
    second = submit(title="Ổ gà nữa")
    merged = services.feedback_merge(feedback=second, into=first, actor=coordinator)
    assert merged.status == Status.MERGED and merged.merged_into == first
    assert citizen.pk in services._reporter_ids(first)
