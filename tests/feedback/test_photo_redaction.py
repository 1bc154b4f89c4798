"""Coordinators pixelate chosen areas of a photo (faces, plates, house numbers) before publishing;
the rest stays sharp, and a re-moderated photo is never served stale from a cache."""

from __future__ import annotations

import io

import pytest
from django.urls import reverse
from hypothesis import given
from hypothesis import strategies as st
from PIL import Image, ImageStat

from chinhquyenso.core.errors import DomainError
from chinhquyenso.feedback import photos as photo_tools
from chinhquyenso.feedback import services
from chinhquyenso.feedback.constants import Status
from chinhquyenso.feedback.services import Upload


def checkerboard(size=(320, 240), cell=4) -> bytes:
    """Fine detail everywhere: pixelation shows as lost contrast."""
    image = Image.new("RGB", size, (255, 255, 255))
    pixels = image.load()
    for x in range(size[0]):
        for y in range(size[1]):
            if (x // cell + y // cell) % 2:
                pixels[x, y] = (0, 0, 0)
    out = io.BytesIO()
    image.save(out, "JPEG", quality=95)
    return out.getvalue()


def contrast(data: bytes, box_percent) -> float:
    image = Image.open(io.BytesIO(data)).convert("L")
    x, y, w, h = box_percent
    box = (round(image.width * x / 100), round(image.height * y / 100),
           round(image.width * (x + w) / 100), round(image.height * (y + h) / 100))
    return ImageStat.Stat(image.crop(box)).stddev[0]


def test_only_the_chosen_areas_are_pixelated():
    original = checkerboard()
    plain = photo_tools.public_copy(original)
    redacted = photo_tools.public_copy(original, areas=[(10, 10, 30, 40)])
    inside, outside = (12, 12, 26, 36), (60, 55, 30, 30)
    assert contrast(plain, inside) > 80  # the checkerboard is sharp in the plain copy
    assert contrast(redacted, inside) < 0.25 * contrast(plain, inside)
    assert contrast(redacted, outside) == pytest.approx(contrast(plain, outside), rel=0.05)
    thumb = photo_tools.thumbnail(original, areas=[(10, 10, 30, 40)])
    assert contrast(thumb, inside) < 0.25 * contrast(photo_tools.thumbnail(original), inside)


def test_areas_are_read_from_text_and_clipped_to_the_picture():
    assert photo_tools.parse_areas(" 10,20,15,10 ; 90.5,0,20,5\n") == [(10, 20, 15, 10), (90.5, 0, 9.5, 5)]
    assert photo_tools.parse_areas("") == []
    for bad in ("abc", "10,20,15", "10,20,0,5", "-1,0,5,5", "10,20,15,101", "1,2,3,4,5"):
        with pytest.raises(DomainError) as exc:
            photo_tools.parse_areas(bad)
        assert exc.value.code == "photo_areas_invalid" and "Vùng làm mờ" in exc.value.message
    with pytest.raises(DomainError):
        photo_tools.parse_areas(";".join(["1,1,2,2"] * (photo_tools.MAX_AREAS + 1)))


box = st.tuples(st.floats(0, 99), st.floats(0, 99), st.floats(0.1, 100), st.floats(0.1, 100))


@given(st.lists(box, max_size=photo_tools.MAX_AREAS))
def test_typed_areas_round_trip_and_stay_inside_the_picture(boxes):
    text = "; ".join(",".join(repr(v) for v in b) for b in boxes)
    parsed = photo_tools.parse_areas(text)
    assert len(parsed) == len(boxes)
    for (x, y, w, h), (bx, by, _bw, _bh) in zip(parsed, boxes, strict=True):
        assert (x, y) == (bx, by) and w > 0 and h > 0
        assert x + w <= 100 + 1e-9 and y + h <= 100 + 1e-9


@pytest.mark.django_db
def test_coordinator_redacts_areas_on_the_page_and_the_public_copy_is_pixelated_there(client, submit, coordinator):
    feedback = submit(photos=[Upload("nha.jpg", checkerboard())])
    photo = feedback.photos.get()
    client.force_login(coordinator)
    page = client.get(reverse("feedback:staff_detail", args=[feedback.code])).content.decode()
    assert f'name="areas_{photo.pk}"' in page and 'value="areas"' in page
    response = client.post(reverse("feedback:staff_action", args=[feedback.code, "route"]), {
        "version": feedback.version, "publish": "1", "public_title": "Ổ gà", "public_description": "Ổ gà",
        f"photo_{photo.pk}": "areas", f"areas_{photo.pk}": "10,10,30,40"})
    assert response.status_code == 302
    photo.refresh_from_db()
    assert photo.blur_areas == [[10, 10, 30, 40]] and not photo.blurred
    public = client.get(reverse("feedback:photo", args=[photo.pk, "public"]))
    data = b"".join(public.streaming_content)
    assert contrast(data, (12, 12, 26, 36)) < 20 < contrast(data, (60, 55, 30, 30))
    # The page shows the boxes back, in the typed form (dot decimals whatever the language).
    page = client.get(reverse("feedback:staff_detail", args=[feedback.code])).content.decode()
    assert 'value="10,10,30,40"' in page


@pytest.mark.django_db
def test_bad_areas_are_refused_with_a_message_and_nothing_changes(client, submit, coordinator):
    feedback = submit(photos=[Upload("nha.jpg", checkerboard())])
    photo = feedback.photos.get()
    client.force_login(coordinator)
    url = reverse("feedback:staff_action", args=[feedback.code, "route"])
    for areas, expected in (("góc trái", "không đúng dạng"), ("", "khoanh ít nhất một vùng")):
        response = client.post(url, {"version": feedback.version, "publish": "1", f"photo_{photo.pk}": "areas",
                                     f"areas_{photo.pk}": areas}, follow=True)
        assert response.status_code == 200
        assert expected in response.content.decode()
        feedback.refresh_from_db()
        assert feedback.status == Status.NEW and not feedback.is_published
    photo.refresh_from_db()
    assert photo.public is None


@pytest.mark.django_db
def test_a_public_photo_is_revalidated_so_a_later_blur_is_never_served_stale(client, submit, coordinator):
    feedback = submit(photos=[Upload("nha.jpg", checkerboard())])
    photo = feedback.photos.get()
    routed = services.feedback_route(feedback=feedback, actor=coordinator, publish=True)
    url = reverse("feedback:photo", args=[photo.pk, "public"])
    first = client.get(url)
    assert first["Cache-Control"] == "public, no-cache" and first["ETag"]
    assert client.get(url, HTTP_IF_NONE_MATCH=first["ETag"]).status_code == 304
    services.feedback_publish(feedback=routed, actor=coordinator, publish=True,
                              photo_decisions={photo.pk: "areas"}, photo_areas={photo.pk: [(0, 0, 50, 50)]})
    again = client.get(url, HTTP_IF_NONE_MATCH=first["ETag"])
    assert again.status_code == 200 and again["ETag"] != first["ETag"]
